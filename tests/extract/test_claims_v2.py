"""Claim dict v2 and the detection rules behind it, each on short texts written for these tests."""

from __future__ import annotations

import pytest
import spacy
from aiwatch.extract.evaluate import out_of_scope
from aiwatch.extract.lexicons import DEFAULT_LEXICONS
from aiwatch.extract.references import quote_regions
from aiwatch.extract.speakers import is_outlet
from spacy.tokens import Doc

V2_KEYS = {
    "speaker_id", "speaker_text", "speaker_start", "speaker_end", "speaker_kind", "via_id", "via_text",
    "verb", "cue_start", "cue_end", "kind", "target_id", "target_text", "content", "content_start",
    "content_end", "is_quote", "negated", "start_char", "end_char", "sentence", "sentence_start",
    "confidence", "topic", "how",
}


def claims(nlp, text: str) -> list[dict]:
    return [c for c in nlp(text)._.claims if not c["negated"]]


def one(nlp, text: str, verb: str | None = None) -> dict:
    found = [c for c in claims(nlp, text) if verb is None or c["verb"] == verb]
    assert len(found) == 1, found
    return found[0]


# --- pure helpers ----------------------------------------------------------------------------------------


def _claim(**fields: object):
    from aiwatch.extract.claims import Claim

    base = dict(
        speaker_id="nvidia", speaker_text="Nvidia", speaker_start=0, speaker_end=6, speaker_kind="entity",
        via_id=None, via_text=None, verb="reject", cue_start=7, cue_end=15, kind="denial", target_id=None,
        target_text=None, content="the claims", content_start=16, content_end=26, is_quote=False,
        negated=False, start_char=0, end_char=27, sentence="", sentence_start=0, confidence=0.8, topic=None,
    )
    return Claim(**{**base, **fields})


def test_one_row_per_act_found_by_two_cues() -> None:
    from aiwatch.extract.claims import distinct_claims

    by_verb = _claim()
    by_noun = _claim(verb="claim", cue_start=20, cue_end=26, confidence=0.9)
    other_clause = _claim(content_start=30, content_end=40)
    other_speaker = _claim(speaker_id="amd")
    kept = distinct_claims([by_verb, by_noun, other_clause, other_speaker])
    assert kept == [by_noun, other_clause, other_speaker]


def test_doubled_and_guillemet_quotes_pair() -> None:
    doc = Doc(spacy.blank("en").vocab, words=["``", "No", "''", "she", "said", "«", "yes", "»"])
    assert quote_regions(doc) == [(1, 2), (6, 7)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Reuters", True), ("the Financial Times", True), ("Bloomberg's", True), ("Anthropic", False)],
)
def test_outlets_by_name(text: str, expected: bool) -> None:
    assert is_outlet(text, DEFAULT_LEXICONS) is expected


def test_gold_scope_leaves_out_what_the_v1_gold_does_not_annotate() -> None:
    base = {"speaker_id": "openai", "speaker_text": "OpenAI", "kind": "statement", "target_id": None}
    assert out_of_scope(base) is None
    assert out_of_scope({**base, "speaker_id": None, "speaker_text": "officials"}) == "speaker unresolved"
    assert out_of_scope({**base, "speaker_text": "they"}) == "plural pronoun"
    assert out_of_scope({**base, "kind": "accusation"}) == "accused unnamed"


# --- the v2 dict -------------------------------------------------------------------------------------------


@pytest.mark.model
def test_v2_dict_spans_point_into_the_text(nlp) -> None:
    text = 'Investors were calm. "The rules have failed," Jensen Huang told reporters on Monday.'
    claim = one(nlp, text)
    assert set(claim) == V2_KEYS
    assert text[claim["speaker_start"] : claim["speaker_end"]] == claim["speaker_text"] == "Jensen Huang"
    assert text[claim["cue_start"] : claim["cue_end"]] == "told"
    assert text[claim["content_start"] : claim["content_end"]].startswith("The rules have failed")
    assert claim["speaker_kind"] == "person" and claim["is_quote"]


@pytest.mark.model
@pytest.mark.parametrize(
    ("text", "speaker_text", "kind"),
    [
        ("Analysts said the new rules would slow shipments.", "Analysts", "group"),
        (
            "People familiar with the matter said the deal was close.",
            "People familiar with the matter",
            "anonymous",
        ),
        ("The report says the chips reached three buyers.", "The report", "document"),
        ("A ministry spokesperson said the talks would continue.", "A ministry spokesperson", "role"),
        ("The mayor said the plant would reopen.", "The mayor", "role"),
    ],
)
def test_unresolved_speakers_are_kept(nlp, text: str, speaker_text: str, kind: str) -> None:
    claim = one(nlp, text)
    assert (claim["speaker_id"], claim["speaker_text"], claim["speaker_kind"]) == (None, speaker_text, kind)


@pytest.mark.model
def test_outlet_reporting_alone_is_the_speaker(nlp) -> None:
    claim = one(nlp, "Reuters reported that shipments had resumed in March.")
    assert (claim["speaker_text"], claim["speaker_kind"], claim["kind"]) == ("Reuters", "outlet", "statement")


@pytest.mark.model
@pytest.mark.parametrize(
    "text",
    [
        "Bloomberg reported that OpenAI said DeepSeek had copied its models.",
        "According to the Wall Street Journal, OpenAI claimed that DeepSeek copied its models.",
        "OpenAI told Reuters that DeepSeek had copied its models.",
    ],
)
def test_an_outlet_relaying_a_claim_is_its_channel(nlp, text: str) -> None:
    (claim,) = claims(nlp, text)
    assert (claim["speaker_id"], claim["kind"], claim["target_id"]) == ("openai", "accusation", "deepseek")
    assert claim["via_text"] in ("Bloomberg", "the Wall Street Journal", "Reuters")


@pytest.mark.model
def test_an_outlet_never_accuses_on_its_own(nlp) -> None:
    claim = one(nlp, "A Bloomberg report said DeepSeek had copied OpenAI's models.")
    assert claim["speaker_kind"] == "outlet" and claim["kind"] == "statement" and claim["target_id"] is None


# --- pronouns ------------------------------------------------------------------------------------------


@pytest.mark.model
def test_pronoun_gender_follows_honorifics(nlp) -> None:
    text = "Mr. Jensen Huang met Ms. Lisa Su in Taipei on Monday. She said demand for chips was strong."
    claim = one(nlp, text)
    assert (claim["speaker_text"], claim["speaker_id"]) == ("She", "lisa-su")


@pytest.mark.model
def test_plural_they_takes_an_organisations_group(nlp) -> None:
    text = "Nvidia engineers reviewed the chips last week. They said the flaw was minor."
    claim = one(nlp, text)
    assert (claim["speaker_text"], claim["speaker_kind"], claim["speaker_id"]) == ("They", "group", "nvidia")


@pytest.mark.model
def test_title_case_headline_anchors_no_pronoun(nlp) -> None:
    text = "Anthropic Outlines New Safety Plan\n\nIt said the plan would take a year."
    claim = one(nlp, text)
    assert (claim["speaker_text"], claim["speaker_id"]) == ("It", None)


# --- quotes ---------------------------------------------------------------------------------------------


@pytest.mark.model
def test_split_quote_is_one_content(nlp) -> None:
    text = '"We did nothing wrong," Nvidia said, "and we will show it in court."'
    claim = one(nlp, text)
    assert claim["is_quote"] and "did nothing wrong" in claim["content"]
    assert "show it in court" in claim["content"]


@pytest.mark.model
def test_quote_on_the_line_after_a_colon(nlp) -> None:
    claim = one(nlp, 'Gina Raimondo said:\n"The controls will stay in place."')
    assert claim["is_quote"] and claim["content"].startswith("The controls will stay")


@pytest.mark.model
def test_mixed_quote_content_is_the_whole_clause(nlp) -> None:
    claim = one(nlp, 'Jensen Huang said the rules were "a failure" for everyone.')
    assert claim["is_quote"] and claim["content"].startswith("the rules were")


@pytest.mark.model
def test_adding_participle_is_a_claim_of_its_own(nlp) -> None:
    found = claims(nlp, "Nvidia denied any wrongdoing, adding that it follows every export rule.")
    assert [(c["kind"], c["verb"]) for c in found] == [("denial", "deny"), ("statement", "add")]


@pytest.mark.model
def test_saying_participle_stays_part_of_a_denial(nlp) -> None:
    found = claims(nlp, "Nvidia denied any wrongdoing, saying it follows every export rule.")
    assert [c["kind"] for c in found] == ["denial"]


# --- targets ---------------------------------------------------------------------------------------------


@pytest.mark.model
def test_named_group_is_an_accused_by_text(nlp) -> None:
    claim = one(nlp, "Anthropic said three Chinese labs had copied Claude through fake accounts.")
    assert (claim["kind"], claim["target_id"], claim["target_text"]) == (
        "accusation",
        None,
        "three Chinese labs",
    )


@pytest.mark.model
def test_generic_bare_plural_is_never_the_accused(nlp) -> None:
    text = "OpenAI said distillation is a method used by developers to copy larger models cheaply."
    assert all(c["kind"] != "accusation" for c in claims(nlp, text))


@pytest.mark.model
def test_hedged_article_voice_is_no_claim(nlp) -> None:
    assert claims(nlp, "DeepSeek allegedly copied Claude through fake accounts.") == []


@pytest.mark.model
def test_evidence_of_wrongdoing_accuses_with_an_empty_target(nlp) -> None:
    claim = one(nlp, "OpenAI said it had seen evidence of distillation.")
    assert (claim["kind"], claim["target_id"], claim["target_text"]) == ("accusation", None, None)


@pytest.mark.model
def test_doubt_about_wrongdoing_accuses_nobody(nlp) -> None:
    text = "DeepSeek addressed doubts regarding using OpenAI outputs for distillation."
    assert all(c["kind"] != "accusation" for c in claims(nlp, text))


@pytest.mark.model
def test_owner_is_not_the_doer(nlp) -> None:
    text = 'Anthropic said: "The model is a tool in Alibaba\'s kit, built to copy Claude."'
    assert all(c["target_id"] != "alibaba" for c in claims(nlp, text))


# --- policy actions ---------------------------------------------------------------------------------------


@pytest.mark.model
def test_a_countrys_agency_acts_not_the_country(nlp) -> None:
    claim = one(nlp, "China's chip regulator summoned Nvidia over the H20.")
    assert claim["kind"] == "policy_action" and claim["speaker_id"] != "china"
    assert claim["speaker_text"] == "China's chip regulator" and claim["target_id"] == "nvidia"
    # the KB's own alias still names the agency
    assert one(nlp, "China's cyberspace regulator summoned Nvidia.")["speaker_id"] == "cac"


@pytest.mark.model
def test_an_administration_is_not_its_president(nlp) -> None:
    claim = one(nlp, "The administration of President Donald Trump banned sales of the H20 to China.")
    assert claim["kind"] == "policy_action" and claim["speaker_id"] != "donald-trump"


@pytest.mark.model
def test_listed_parties_not_the_list(nlp) -> None:
    claim = one(nlp, "The Commerce Department added two Chinese chipmakers to the Entity List.")
    assert (claim["target_id"], claim["target_text"]) == (None, "two Chinese chipmakers")


@pytest.mark.model
def test_policy_noun_enacted_by_a_verb(nlp) -> None:
    claim = one(nlp, "The Commerce Department imposed new restrictions on the H20 in April.")
    assert (claim["speaker_id"], claim["target_id"]) == ("us-commerce", "nvidia-h20")
    assert claim["kind"] == "policy_action"


@pytest.mark.model
def test_named_members_of_a_group_act(nlp) -> None:
    text = "Several agencies, such as the Commerce Department and the White House, banned DeepSeek."
    assert {c["speaker_id"] for c in claims(nlp, text)} == {"us-commerce", "white-house"}


# --- headlines and labels ---------------------------------------------------------------------------------


@pytest.mark.model
def test_title_case_headline_read_on_its_surface(nlp) -> None:
    found = claims(nlp, "Anthropic Accuses DeepSeek And MiniMax Of Copying Claude\n\nMore follows.")
    assert [(c["speaker_id"], c["kind"], c["target_id"]) for c in found] == [
        ("anthropic", "accusation", "deepseek"),
        ("anthropic", "accusation", "minimax"),
    ]


@pytest.mark.model
def test_title_case_headline_possessor_is_no_target(nlp) -> None:
    found = claims(nlp, "OpenAI Accuses China's DeepSeek Of Copying Its Models\n\nMore follows.")
    assert [(c["speaker_id"], c["kind"], c["target_id"]) for c in found] == [
        ("openai", "accusation", "deepseek")
    ]


@pytest.mark.model
def test_heading_after_a_list_stays_one_sentence(nlp) -> None:
    # a line with no final punctuation is one sentence: the parser cut this one after "Nvidia"
    menu = "".join(f"- {city}\n" for city in ("Seattle", "Tampa", "Tucson"))
    doc = nlp(menu + "Nvidia Rejects Beijing Claims Over Chip Security Risks\nThe reply came on Monday.")
    heading = next(s for s in doc.sents if "Rejects" in s.text)
    assert heading.text.startswith("Nvidia Rejects")
    assert [(c["speaker_id"], c["kind"]) for c in doc._.claims] == [("nvidia", "denial")]


@pytest.mark.model
def test_question_headline_makes_no_claim(nlp) -> None:
    assert claims(nlp, "How Anthropic says it found the accounts") == []


@pytest.mark.model
def test_transcript_label_speaks_its_line(nlp) -> None:
    found = claims(nlp, "Jensen Huang: The rules have failed, and everyone knows it.\n\nThe hall was quiet.")
    assert [(c["speaker_id"], c["verb"]) for c in found] == [("jensen-huang", ":")]


@pytest.mark.model
def test_in_a_statement_makes_any_verb_a_cue(nlp) -> None:
    claim = one(nlp, "In a statement, Nvidia reaffirmed that it follows every export rule.")
    assert (claim["speaker_id"], claim["verb"], claim["kind"]) == ("nvidia", "reaffirm", "statement")


@pytest.mark.model
def test_doer_hanging_off_the_noun_a_participle_modifies(nlp) -> None:
    text = "OpenAI said it had seen attempts by accounts linked to DeepSeek to circumvent its restrictions."
    claim = one(nlp, text)
    assert (claim["kind"], claim["target_id"]) == ("accusation", "deepseek")


@pytest.mark.model
def test_object_control_makes_the_object_the_doer(nlp) -> None:
    claim = one(nlp, "China urged the United States to correct its wrongful practices.")
    # a country speaks through its government (KB ``governs``); as a target it stays the country
    assert (claim["speaker_id"], claim["target_id"]) == ("chinese-government", "united-states")
    assert (claim["speaker_text"], claim["kind"]) == ("China", "accusation")


@pytest.mark.model
@pytest.mark.parametrize(
    ("text", "speaker_id", "speaker_text"),
    [
        ("Beijing said the new rules were an abuse of export controls against Chinese firms.",
         "chinese-government", "Beijing"),
        ("The Chinese side said the listing was unfair.", "chinese-government", "The Chinese side"),
        ("Nvidia said the U.S. government had restricted sales of the H20.", "us-government",
         "the U.S. government"),
        ("Washington imposed licence requirements on the H20 in April.", "us-government", "Washington"),
        ("U.S. officials told Nvidia the chip needs a licence.", "us-government", "U.S. officials"),
    ],
)
def test_speaker_only_names_resolve_to_their_entity(
    nlp, text: str, speaker_id: str, speaker_text: str
) -> None:
    found = [c for c in claims(nlp, text) if c["speaker_text"] == speaker_text]
    assert found and {c["speaker_id"] for c in found} == {speaker_id}, claims(nlp, text)


@pytest.mark.model
def test_a_city_as_a_place_is_no_speaker(nlp) -> None:
    text = "Nvidia said in Beijing that it would keep serving Chinese customers."
    assert {c["speaker_id"] for c in claims(nlp, text)} == {"nvidia"}


@pytest.mark.model
def test_speaker_after_a_title_the_parser_misreads(nlp) -> None:
    text = (
        '"We will keep these chips out of the wrong hands," said Under Secretary of Commerce for '
        "Industry and Security Alan Estevez."
    )
    claim = one(nlp, text)
    assert (claim["speaker_id"], claim["kind"], claim["is_quote"]) == ("alan-estevez", "statement", True)


@pytest.mark.model
def test_an_act_reported_in_speech_is_the_actors_policy_action(nlp) -> None:
    text = "Nvidia said the U.S. government had restricted sales of the H20 to China."
    acts = [c for c in claims(nlp, text) if c["kind"] == "policy_action"]
    assert [(c["speaker_id"], c["verb"], c["target_id"]) for c in acts] == [
        ("us-government", "restrict", "nvidia-h20")
    ]
    assert "in_speech" in acts[0]["how"] and out_of_scope(acts[0]) == "act reported in speech"
    # told by its own actor, "would" announces; a third party's "would" is a forecast, not an act
    own = "The ministry of commerce said it would restrict exports of gallium to the United States."
    assert any(c["kind"] == "policy_action" for c in claims(nlp, own))
    forecast = "Analysts said Beijing would restrict exports of gallium to the United States."
    assert not any(c["kind"] == "policy_action" for c in claims(nlp, forecast))


@pytest.mark.model
def test_a_wrongdoing_word_asserted_of_no_one_keeps_the_attribution(nlp) -> None:
    # found and marked as wrongful: an accusation whose doer the text does not name
    claim = one(nlp, 'OpenAI says it has detected "new, obfuscated methods" designed to evade its defenses.')
    assert (claim["speaker_id"], claim["kind"], claim["target_id"]) == ("openai", "accusation", None)
    # a capability to find it, or finding none of it, asserts nothing
    for text in ("OpenAI says it has built tools to detect obfuscated requests.",
                 "OpenAI says it detected no fraudulent accounts."):
        claim = one(nlp, text)
        assert (claim["speaker_id"], claim["kind"], claim["target_id"]) == ("openai", "statement", None)


@pytest.mark.model
def test_document_senders_and_relayed_acts_keep_their_speaker(nlp) -> None:
    memo = ("The race continues to escalate, with OpenAI recently submitting a memorandum to Congress "
            "accusing DeepSeek of improperly using its models.")
    assert [(c["speaker_id"], c["kind"], c["target_id"]) for c in claims(nlp, memo)] == [
        ("openai", "accusation", "deepseek")
    ]
    relayed = one(nlp, "Bloomberg reported that OpenAI accused DeepSeek of distilling its models.")
    found = (relayed["speaker_id"], relayed["kind"], relayed["target_id"])
    assert found == ("openai", "accusation", "deepseek")
    assert relayed["via_id"] == "bloomberg"
    echoed = one(nlp, "This week, the White House echoed similar allegations.")
    assert (echoed["speaker_id"], echoed["kind"], echoed["target_id"]) == ("white-house", "accusation", None)
    assert not claims(nlp, "The White House echoed the report.")


@pytest.mark.model
def test_naming_a_wrongdoing_accuses_what_is_named(nlp) -> None:
    claim = one(nlp, "John Moolenaar called DeepSeek a tool built to spy on Americans.")
    assert (claim["kind"], claim["target_id"]) == ("accusation", "deepseek")


@pytest.mark.model
def test_nominal_report_with_its_owner(nlp) -> None:
    text = "Analysts doubted OpenAI's allegation that DeepSeek copied its models."
    claim = one(nlp, text, verb="allegation")
    assert (claim["speaker_id"], claim["kind"], claim["target_id"]) == ("openai", "accusation", "deepseek")


@pytest.mark.model
def test_nominal_policy_act_with_a_named_actor(nlp) -> None:
    claim = one(nlp, "The Commerce Department's ban on H20 sales hurt Nvidia.")
    assert (claim["speaker_id"], claim["target_id"]) == ("us-commerce", "nvidia-h20")
    assert claim["kind"] == "policy_action"
    assert claims(nlp, "A proposed ban on H20 sales worried Nvidia.") == []


@pytest.mark.model
def test_answer_turns_of_a_transcript_are_the_answerers(nlp) -> None:
    text = (
        "The spokesperson of the Ministry of Commerce answered reporters' questions on the new chip rules\n"
        "Q: The US added more Chinese firms to the Entity List this week. What is China's response?\n"
        "A: China has noted the listing. The U.S. abuse of export controls harms normal trade.\n"
        "China will take necessary measures to protect its companies.\n"
        "Related stories\n"
        "Exporters say the rules will cost them customers."
    )
    found = claims(nlp, text)
    by_answerer = [c for c in found if c["verb"] == ":"]
    assert {c["speaker_id"] for c in by_answerer} == {"mofcom"}
    assert [c["kind"] for c in by_answerer] == ["statement", "accusation", "statement"]
    assert by_answerer[1]["target_id"] == "united-states"
    # the question is the reporter's, and the turn ends at the heading line
    assert not any(c["speaker_id"] == "mofcom" and "Exporters" in c["sentence"] for c in found)
    assert not any("What is China" in c["sentence"] and c["speaker_id"] == "mofcom" for c in found)


@pytest.mark.model
def test_no_answerer_named_means_no_transcript_claims(nlp) -> None:
    text = "Q: Will the rules change?\nA: The U.S. abuse of export controls harms normal trade.\n"
    assert not [c for c in claims(nlp, text) if c["verb"] == ":"]


@pytest.mark.model
def test_maker_of_a_wrongful_instrument_is_accused(nlp) -> None:
    text = (
        "Anthropic said three Chinese labs ran the campaigns. "
        "Anthropic claimed the firms created 24,000 fraudulent accounts to query Claude."
    )
    claim = one(nlp, text, verb="claim")
    assert (claim["kind"], claim["target_id"], claim["target_text"]) == ("accusation", None, "the firms")


@pytest.mark.model
def test_subject_the_parser_strands_before_the_cue(nlp) -> None:
    text = (
        'In response to the addition of Chinese firms to the "Entity List" of export controls, a '
        "spokesperson for China's Ministry of Commerce said on Saturday that the US is suppressing Chinese "
        "enterprises."
    )
    claim = one(nlp, text, verb="say")
    assert (claim["speaker_id"], claim["kind"]) == ("mofcom", "accusation")
    assert claim["target_id"] == "united-states"
    assert "suppressing" in claim["content"]


@pytest.mark.model
@pytest.mark.parametrize(
    ("text", "speaker_id", "target_id"),
    [
        ("The Department of Justice charged four people in a plot to move Nvidia chips into China.",
         "us-doj", None),
        ("The Trump administration stopped H20 exports in the spring.", "trump-administration", "nvidia-h20"),
        ("Washington enforces sweeping limits on advanced chip sales to China.", "us-government", "china"),
        # the country only describes the thing acted on: no target rather than a wrong one
        ("Beijing summoned the US chipmaker over alleged backdoors.", "chinese-government", None),
    ],
)
def test_government_acts_by_verb(nlp, text: str, speaker_id: str, target_id: str | None) -> None:
    acts = [c for c in claims(nlp, text) if c["kind"] == "policy_action"]
    assert [(c["speaker_id"], c["target_id"]) for c in acts] == [(speaker_id, target_id)]


@pytest.mark.model
def test_a_company_stopping_or_critics_charging_is_no_policy_action(nlp) -> None:
    for text in ("Nvidia stopped shipping the H20.", "Critics charged that the rule was unfair.",
                 "US chip export curbs hurt AMD sales last year."):
        assert not [c for c in claims(nlp, text) if c["kind"] == "policy_action"], text


@pytest.mark.model
def test_holding_evidence_of_a_clause_reports_it(nlp) -> None:
    claim = one(nlp, "OpenAI has evidence that DeepSeek used its models to train a competitor.")
    assert (claim["speaker_id"], claim["kind"], claim["target_id"]) == ("openai", "accusation", "deepseek")
    assert claim["how"][2] == "evidence"
    assert not claims(nlp, "Nvidia has evidence of strong demand.")


@pytest.mark.model
def test_releasing_compound_policy_measures_is_the_act(nlp) -> None:
    text = "The U.S. Department of Commerce has released new export control measures on chip sales to China."
    acts = [c for c in claims(nlp, text) if c["kind"] == "policy_action"]
    found = [(c["speaker_id"], c["target_id"], c["verb"]) for c in acts]
    assert found == [("us-commerce", "china", "release")]


@pytest.mark.model
def test_hard_wrapped_wire_copy_is_read_as_paragraphs(nlp) -> None:
    lines = [
        "WASHINGTON (Wire) - The U.S. Justice Department has",
        "charged four people in a scheme to illegally export Nvidia",
        "AI chips to China, officials said on Thursday, in the latest",
        "case brought under the export rules that took effect in 2023.",
        '"These defendants tried to move restricted chips through',
        'third countries and hid the real buyers," said Deputy Attorney',
        "General Jane Example, who announced the charges in Tampa.",
        "China has criticized U.S. export curbs as part of a campaign",
        "to weaponize economic and trade issues, and says it opposes them.",
    ]
    text = "\n".join(lines) + "\n"
    doc = nlp(text)
    assert len(doc.text) == len(text) and "\n" not in doc.text[:-1]
    found = doc._.claims
    acts = [c for c in found if c["kind"] == "policy_action"]
    # the department charged; its official announced the charges
    acts_by = [(c["speaker_id"], c["verb"]) for c in acts]
    assert acts_by == [("us-doj", "charge"), ("jane-example", "announce")]
    accusation = next(c for c in found if c["speaker_id"] == "chinese-government")
    assert (accusation["kind"], accusation["target_id"]) == ("accusation", "united-states")
    # offsets still point into the stored text, line breaks and all
    for claim in found:
        start = claim["sentence_start"]
        assert text[start : start + len(claim["sentence"])].replace("\n", " ") == claim["sentence"]
        assert text[claim["cue_start"] : claim["cue_end"]] == doc.text[claim["cue_start"] : claim["cue_end"]]


@pytest.mark.model
def test_wrongdoing_predicated_of_something_is_asserted(nlp) -> None:
    claim = one(nlp, "China said the listing amounts to bullying.")
    assert (claim["speaker_id"], claim["kind"]) == ("chinese-government", "accusation")
    assert claim["target_id"] is None
    assert one(nlp, "OpenAI said distillation is a common technique.")["kind"] == "statement"


@pytest.mark.model
def test_wrongdoing_traced_to_a_party_accuses_it(nlp) -> None:
    text = (
        "Anthropic says it traced the distillation campaign back to operators with connections to "
        "Alibaba, one of China's largest tech companies."
    )
    claim = one(nlp, text)
    assert (claim["speaker_id"], claim["kind"], claim["target_id"]) == ("anthropic", "accusation", "alibaba")
    assert not claims(nlp, "Nvidia linked its revenue growth to data center demand.")


@pytest.mark.model
def test_the_sources_employer_and_plural_nominals_are_never_the_accused(nlp) -> None:
    text = (
        "Google's threat group GTIG published its findings on Thursday. According to Hultquist, Chief "
        "Analyst at GTIG, the attackers aimed to collect outputs to train a student model."
    )
    found = [c for c in claims(nlp, text) if c["verb"] == "according to"]
    assert found and all(c["target_id"] != "google-threat-intelligence-group" for c in found), found
    assert found[0]["kind"] == "accusation" and found[0]["target_text"] == "the attackers"


@pytest.mark.model
def test_unnamed_reports_relay_the_inner_claim_and_keep_their_own(nlp) -> None:
    found = claims(nlp, "Reports said OpenAI researchers thought DeepSeek trained R1 on OpenAI outputs.")
    inner = next(c for c in found if c["verb"] == "think")
    assert (inner["speaker_id"], inner["kind"], inner["target_id"]) == ("openai", "accusation", "deepseek")
    assert any(c["verb"] == "say" and c["speaker_text"] == "Reports" for c in found)


@pytest.mark.model
def test_launching_a_campaign_is_a_governments_act_and_a_companys_release_an_announcement(nlp) -> None:
    text = "The State Department launched a worldwide push spotlighting Chinese firms such as DeepSeek."
    act = one(nlp, text)
    assert (act["speaker_id"], act["kind"]) == ("us-state-department", "policy_action")
    assert act["target_id"] == "deepseek"
    release = one(nlp, "Nvidia released new export control measures for its shipments.")
    assert (release["speaker_id"], release["kind"]) == ("nvidia", "announcement")


@pytest.mark.model
def test_wrongdoing_said_without_a_named_doer_or_beside_another_report(nlp) -> None:
    def found(text: str) -> list[tuple]:
        return [(c["speaker_id"], c["kind"], c["target_id"] or c["target_text"]) for c in claims(nlp, text)]

    both = ("Anthropic has alleged that DeepSeek attempted to extract capabilities from its models, while "
            "OpenAI has warned that some competitors are trying to replicate its technology.")
    assert found(both) == [
        ("anthropic", "accusation", "deepseek"), ("openai", "accusation", "some competitors")]
    announced = "Google announced that it had identified and disrupted an attempt to extract its reasoning."
    assert found(announced) == [("google", "accusation", None)]
    assert found("Nvidia announced that it will launch a new chip.") == [("nvidia", "announcement", None)]
    assert found('OpenAI claims this is tantamount to "free-riding."') == [("openai", "accusation", None)]
    assert found("Anthropic described the campaigns as organised, utilising fake accounts.") == [
        ("anthropic", "accusation", "the campaigns")]
    assert found("OpenAI argues the method is being exploited to mimic proprietary systems.") == [
        ("openai", "accusation", None)]
    # a suspected past act accuses; a possibility does not
    assert found("OpenAI believes DeepSeek may have used the outputs of its models to train R1.") == [
        ("openai", "accusation", "deepseek")]
    assert found("OpenAI said DeepSeek could copy the model.") == [("openai", "statement", None)]


@pytest.mark.model
def test_pseudo_clefts_and_findings_made_while_acting(nlp) -> None:
    cleft = one(nlp, "Sacks said what DeepSeek is doing is extracting knowledge from OpenAI's model.")
    assert (cleft["kind"], cleft["target_id"]) == ("accusation", "deepseek")
    text = ("The State Administration for Market Regulation announced further antitrust proceedings against "
            "Nvidia on finding that the company had breached the conditions of its Mellanox deal.")
    found = {(c["speaker_id"], c["kind"], c["target_id"], c["verb"]) for c in claims(nlp, text)}
    assert ("samr", "policy_action", "nvidia", "announce") in found
    assert any(c[0] == "samr" and c[3] == "find" for c in found)


@pytest.mark.model
def test_per_names_a_source_but_not_a_rate(nlp) -> None:
    sourced = one(nlp, "The tactic is used to build competing AI systems, per NBC News.")
    assert (sourced["speaker_id"], sourced["speaker_kind"], sourced["verb"]) == ("nbc-news", "outlet", "per")
    assert one(nlp, "Per Nvidia, the H20 has no backdoor.")["kind"] == "denial"
    for rate in ("The chips cost $10,000 per unit.", "Exports rose 5 per cent."):
        assert claims(nlp, rate) == []


@pytest.mark.model
def test_policy_acts_by_directive_announcement_withdrawn_permission_and_on_conjoined_parties(nlp) -> None:
    def acts(text: str) -> list[tuple]:
        return [(c["speaker_id"], c["verb"], c["target_id"]) for c in claims(nlp, text)
                if c["kind"] == "policy_action"]

    assert acts("China's internet regulator has instructed Alibaba and ByteDance to terminate their orders "
                "for Nvidia's RTX Pro 6000D chips.") == [("cac", "instruct", "nvidia-rtx-pro-6000d")]
    assert acts("The Commerce Department asked Nvidia to explain how its chips reached China.") == [
        ("us-commerce", "ask", "nvidia")]
    # a wish is no directive, and asking a country is diplomacy
    assert acts("The White House wants Nvidia and AMD to prioritise American buyers.") == []
    assert acts("The ministry asked the United States to correct its practices.") == []
    assert acts("China has announced a total ban on exports to the United States of dual-use items.") == [
        ("chinese-government", "announce", "united-states")]
    assert acts("The Ministry of Commerce announced that it will no longer allow sales of gallium "
                "to the United States.") == [("mofcom", "allow", "united-states")]
    assert acts("The Commerce Department has not approved any licences yet.") == []
    assert acts("The Trump administration instituted new restrictions on Nvidia's H20 chips and AMD's "
                "MI308 chips.") == [("trump-administration", "institute", "nvidia-h20"),
                                    ("trump-administration", "institute", "amd-mi308")]


@pytest.mark.model
def test_voiced_concerns_and_inquiries_are_statements_and_a_government_inquiry_acts(nlp) -> None:
    def found(text: str) -> list[tuple]:
        return [(c["speaker_id"], c["kind"], c["target_id"]) for c in claims(nlp, text)]

    assert found("OpenAI and Anthropic have previously raised similar concerns.") == [
        ("openai", "statement", None), ("anthropic", "statement", None)]
    assert found("Microsoft is investigating whether OpenAI's data was misused.") == [
        ("microsoft", "statement", None)]
    assert found("The Commerce Department is investigating whether Nvidia chips were smuggled.") == [
        ("us-commerce", "policy_action", "nvidia")]
    assert found("The company raised $5 billion.") == []


@pytest.mark.model
def test_acting_against_a_party_for_a_wrongdoing_accuses_it(nlp) -> None:
    text = ('A Bloomberg report claimed that OpenAI, Anthropic and Google have begun working together to '
            '"clamp down" on Chinese competitors for extracting results from US AI models.')
    acts = [(c["speaker_id"], c["kind"], c["via_id"]) for c in claims(nlp, text) if c["kind"] == "accusation"]
    assert acts == [("openai", "accusation", "bloomberg"), ("anthropic", "accusation", "bloomberg"),
                    ("google", "accusation", "bloomberg")]
    crackdown = claims(nlp, "Nvidia moved to crack down on resellers for smuggling chips.")
    assert [c["kind"] for c in crackdown] == ["accusation"]
    assert claims(nlp, "The agency cracked down on exporters for paperwork errors.") == []


@pytest.mark.model
def test_an_agentless_act_is_carried_from_the_same_act_just_before(nlp) -> None:
    text = ("The Bureau of Industry and Security added 80 entities to the Entity List on Tuesday. "
            "The notice gave reasons. 13 entities are added for their contributions to nuclear activities.")
    acts = [(c["speaker_id"], c["how"][0]) for c in claims(nlp, text) if c["kind"] == "policy_action"]
    assert acts == [("us-bis", "entity"), ("us-bis", "carried")]
    assert out_of_scope([c for c in claims(nlp, text) if c["how"][0] == "carried"][0]) is not None
    # no earlier act of that verb: no actor to carry
    assert claims(nlp, "13 entities are added for their contributions to nuclear activities.") == []


@pytest.mark.model
def test_policy_targets_from_a_definite_description_and_the_acts_purpose(nlp) -> None:
    text = "Nvidia shipped the H20 to China. Weeks later Beijing formally summoned the US chipmaker."
    acts = [(c["speaker_id"], c["target_id"]) for c in claims(nlp, text) if c["kind"] == "policy_action"]
    assert acts == [("chinese-government", "nvidia")]
    text = "BIS unveiled new export controls to curb China's advanced chipmaking."
    assert [(c["kind"], c["target_id"]) for c in claims(nlp, text)] == [("policy_action", "china")]


@pytest.mark.model
def test_claims_made_by_infinitive_and_launches_made_along_the_way(nlp) -> None:
    claimed = one(nlp, "DeepSeek claimed to have built the model in two months.")
    assert (claimed["speaker_id"], claimed["kind"]) == ("deepseek", "statement")
    launch = one(nlp, "DeepSeek drew attention after launching AI models that rivaled US offerings.")
    assert (launch["speaker_id"], launch["kind"], launch["verb"]) == ("deepseek", "announcement", "launch")


@pytest.mark.model
def test_a_planned_launch_is_announced_but_a_planned_ban_is_not_an_act(nlp) -> None:
    planned = one(nlp, "Nvidia plans to launch a new chip for China.")
    assert (planned["speaker_id"], planned["kind"]) == ("nvidia", "announcement")
    assert claims(nlp, "Commerce plans to restrict exports of the H20.") == []


@pytest.mark.model
def test_a_licence_requirement_told_to_a_company_is_the_tellers_act(nlp) -> None:
    text = ("Nvidia said on Tuesday that the U.S. government informed it on April 9 that the H20 chip would "
            "require a license to be exported to China.")
    acts = [(c["speaker_id"], c["verb"], c["target_id"]) for c in claims(nlp, text)
            if c["kind"] == "policy_action"]
    assert acts == [("us-government", "require", "nvidia-h20")]
    forecast = claims(nlp, "Analysts said the H20 chip would require a license.")
    assert [c["kind"] for c in forecast] == ["statement"]


@pytest.mark.model
def test_a_permission_acts_on_the_product_it_lets_a_party_sell(nlp) -> None:
    text = "President Trump announced that he is allowing Nvidia to sell its powerful H200 chips in China."
    acts = [(c["speaker_id"], c["target_id"]) for c in claims(nlp, text) if c["kind"] == "policy_action"]
    assert acts == [("donald-trump", "nvidia-h200")]


@pytest.mark.model
def test_a_rule_acts_for_its_issuer_and_a_dateline_place_speaks_for_no_one(nlp) -> None:
    text = ("The Bureau of Industry and Security is implementing a series of targeted updates to its export "
            "controls. These updates will restrict China's ability to purchase certain high-end chips.")
    acts = [(c["speaker_id"], c["verb"], c["target_id"], c["how"][0]) for c in claims(nlp, text)]
    assert acts == [("us-bis", "implement", None, "entity"), ("us-bis", "restrict", "china", "issuer")]
    assert out_of_scope(claims(nlp, text)[1]) is not None
    dateline = "Washington, D.C.—The Commerce Department is implementing new export controls."
    assert [c["speaker_id"] for c in claims(nlp, dateline)] == ["us-commerce"]


@pytest.mark.model
def test_a_document_acts_for_the_party_that_issued_it(nlp) -> None:
    text = ("The indictment, which the U.S. Department of Justice announced on Thursday, charges two U.S. "
            "citizens and two Chinese nationals with conspiring to export Nvidia GPUs to China.")
    found = [(c["speaker_id"], c["kind"], c["target_id"]) for c in claims(nlp, text)
             if c["kind"] != "announcement"]
    assert found == [("us-doj", "accusation", None)]  # "U.S. citizens" are not the United States


@pytest.mark.model
def test_cited_as_saying_is_the_quoted_partys_claim_through_the_outlet(nlp) -> None:
    claim = one(nlp, "Reuters quoted Lin Jian as saying that China opposes the curbs.")
    assert (claim["speaker_id"], claim["via_text"], claim["verb"]) == ("lin-jian", "Reuters", "say")
    sources = one(nlp, "Bloomberg cited people familiar with the matter as saying that the firms share data.")
    assert (sources["speaker_kind"], sources["via_id"]) == ("anonymous", "bloomberg")


@pytest.mark.model
def test_a_claim_denied_in_a_relative_clause_answers_its_maker(nlp) -> None:
    text = "Washington has framed it as a security threat, a claim the companies involved have denied."
    denial = one(nlp, text)
    assert (denial["speaker_text"], denial["kind"], denial["target_id"]) == (
        "the companies involved", "denial", "us-government")


# --- speakers carried by titles, roles and control adjectives ---------------------------------------------


@pytest.mark.model
def test_control_adjective_passes_its_subject(nlp) -> None:
    found = one(nlp, "Lutnick made sure to mention that the newest chips stay off the list.")
    assert (found["speaker_id"], found["verb"], found["kind"]) == ("howard-lutnick", "mention", "statement")


@pytest.mark.model
def test_forecast_adjective_is_no_claim(nlp) -> None:
    assert claims(nlp, "Lutnick is likely to say that the newest chips stay off the list.") == []


@pytest.mark.model
def test_the_president_is_the_person_titled_so(nlp) -> None:
    text = (
        "President Donald Trump approved the chip sales on Monday. Senator Elizabeth Warren objected. "
        "The vote was close. Few expected it. The president argues that the policy supports American jobs."
    )
    found = one(nlp, text, "argue")
    assert (found["speaker_id"], found["speaker_kind"]) == ("donald-trump", "person")


@pytest.mark.model
def test_he_after_a_spokesman_is_the_spokesman(nlp) -> None:
    text = (
        "The Ministry of Commerce published the list. \"The US has politicised trade,\" a ministry spokesman "
        "said. \"The US has abused export controls,\" he added."
    )
    found = one(nlp, text, "add")
    assert (found["speaker_id"], found["speaker_kind"], found["kind"]) == ("mofcom", "role", "accusation")


@pytest.mark.model
def test_the_agency_is_the_one_body_just_named(nlp) -> None:
    text = "The State Administration for Market Regulation fined a retailer. The agency said it would appeal."
    assert one(nlp, text, "say")["speaker_id"] == "samr"
    two = "The Commerce Department met the Justice Department. The agency said it would act."
    assert one(nlp, two, "say")["speaker_id"] is None


@pytest.mark.model
def test_launching_a_product_by_its_kind_is_an_announcement(nlp) -> None:
    found = one(nlp, "DeepSeek surprised investors by introducing a chatbot built at a fraction of the cost.")
    assert (found["speaker_id"], found["kind"], found["verb"]) == ("deepseek", "announcement", "introduce")


@pytest.mark.model
def test_who_is_the_noun_it_follows(nlp) -> None:
    text = (
        "The decision to allow the sales has been divisive, drawing criticism from both Democrats and "
        "Republicans, who have expressed concerns that it could help China's military."
    )
    found = one(nlp, text, "express")
    assert (found["speaker_text"], found["speaker_kind"]) == ("Republicans", "group")


@pytest.mark.model
def test_documented_is_a_finding(nlp) -> None:
    found = one(nlp, "Reuters has documented how some of the banned chips kept flowing into China.")
    assert (found["speaker_text"], found["speaker_kind"], found["verb"]) == ("Reuters", "outlet", "document")


@pytest.mark.model
def test_first_reported_by_an_outlet(nlp) -> None:
    found = one(nlp, "The revenue deal, first reported by the Financial Times, surprised lawmakers.")
    assert (found["speaker_id"], found["speaker_kind"]) == ("financial-times", "outlet")
    assert found["kind"] == "statement"
    assert found["content"] == "The revenue deal"
    assert claims(nlp, "The revenue deal, first proposed by Nvidia, surprised lawmakers.") == []


@pytest.mark.model
def test_a_report_claiming_speaks_for_its_author(nlp) -> None:
    text = "Asked about a report by the Financial Times claiming that Nvidia had cut prices, he smiled."
    found = one(nlp, text, "claim")
    assert (found["speaker_id"], found["speaker_kind"], found["speaker_text"]) == (
        "financial-times", "outlet", "a report by the Financial Times"
    )


@pytest.mark.model
def test_a_report_relaying_a_belief_leaves_it_to_the_believer(nlp) -> None:
    text = "There were reports suggesting that OpenAI believed DeepSeek may have used its outputs."
    assert [c["speaker_id"] for c in claims(nlp, text)] == ["openai"]


@pytest.mark.model
@pytest.mark.parametrize(
    "text",
    [
        "Lutnick voiced deep skepticism about DeepSeek at the hearing.",
        "Lutnick has praised DeepSeek's open models in the past.",
        "Lutnick questioned whether DeepSeek really built its model alone.",
    ],
)
def test_a_stance_is_about_the_party_in_its_own_phrase(nlp, text: str) -> None:
    found = one(nlp, text)
    assert (found["speaker_id"], found["kind"]) == ("howard-lutnick", "statement")
    assert found["target_id"] == "deepseek"


@pytest.mark.model
def test_a_reported_clause_subject_is_no_statement_target(nlp) -> None:
    assert one(nlp, "Lutnick said DeepSeek was only receiving older chips.")["target_id"] is None


@pytest.mark.model
def test_restating_a_stance_is_a_statement(nlp) -> None:
    found = one(nlp, "The Ministry of Commerce reiterated its firm opposition to unilateral sanctions.")
    assert (found["speaker_id"], found["kind"], found["verb"]) == ("mofcom", "statement", "reiterate")
    assert claims(nlp, "The Ministry of Commerce reiterated the figures in a table.") == []


@pytest.mark.model
def test_a_company_inquiry_is_about_the_suspected_doer(nlp) -> None:
    text = "Microsoft is investigating whether data from OpenAI was obtained by a group linked to DeepSeek."
    found = one(nlp, text)
    assert (found["speaker_id"], found["kind"], found["target_id"]) == ("microsoft", "statement", "deepseek")
    victim = one(nlp, "Microsoft is investigating whether OpenAI's data was misused.")
    assert victim["target_id"] is None


@pytest.mark.model
def test_training_on_anothers_model_is_wrongdoing_wherever_the_purpose_hangs(nlp) -> None:
    found = one(nlp, "OpenAI said it found evidence that DeepSeek used its proprietary model for training.")
    assert (found["speaker_id"], found["kind"], found["target_id"]) == ("openai", "accusation", "deepseek")
    assert one(nlp, "OpenAI said DeepSeek used its own model for training.")["kind"] == "statement"


@pytest.mark.model
def test_an_organisation_reporting_a_claim_relays_it(nlp) -> None:
    text = "PANews reported on Monday that OpenAI said DeepSeek used its proprietary model for training."
    assert [(c["speaker_id"], c["kind"], c["via_text"]) for c in claims(nlp, text)] == [
        ("openai", "accusation", "PANews")
    ]


@pytest.mark.model
def test_coordinated_cues_each_report_their_own_clause(nlp) -> None:
    text = (
        "A source close to Nvidia said resale is common practice and stressed that the company gives buyers "
        "tools to check sellers, but said: “The trouble starts with brokers.”"
    )
    found = claims(nlp, text)
    assert [(c["verb"], c["via_text"]) for c in found] == [("say", None), ("stress", None), ("say", None)]
    assert found[1]["content"].startswith("that the company gives buyers tools")


@pytest.mark.model
def test_both_firms_are_the_pair_last_named(nlp) -> None:
    text = (
        "Nvidia and AMD agreed to pay the government a share of their China sales. However, both firms said "
        "last month that the government would resume reviewing their licences."
    )
    found = claims(nlp, text)
    assert [(c["speaker_id"], c["speaker_text"]) for c in found] == [
        ("nvidia", "both firms"), ("amd", "both firms")
    ]


@pytest.mark.model
def test_a_participle_hung_on_the_reported_clause_is_the_reporters(nlp) -> None:
    text = (
        "However, Commerce Secretary Howard Lutnick argued last month that China was only receiving Nvidia's "
        "“fourth best” chip, emphasizing the decision was part of a deal with China on rare earths."
    )
    assert [(c["speaker_id"], c["verb"]) for c in claims(nlp, text)] == [
        ("howard-lutnick", "argue"), ("howard-lutnick", "emphasize")
    ]


@pytest.mark.model
def test_pointing_out_a_countrys_conduct_accuses_that_country(nlp) -> None:
    found = one(nlp, "China points out that the U.S. bullying behavior undermines the trade order.")
    assert (found["speaker_id"], found["verb"], found["kind"], found["target_id"]) == (
        "chinese-government", "point", "accusation", "united-states"
    )
    assert claims(nlp, "The arrow points to the chart.") == []
    misconduct = one(nlp, "The ministry said the U.S. abuse of export controls hinders normal trade.")
    assert (misconduct["kind"], misconduct["target_id"]) == ("accusation", "united-states")

"""Policy actions on real-news shapes: who acted and on whom, each rule on sentences written for them."""

from __future__ import annotations

import pytest


def acts(nlp, text: str) -> list[tuple]:
    """(actor id or text, verb, target id or text) of the policy actions found in ``text``."""
    return [
        (c["speaker_id"] or c["speaker_text"], c["verb"], c["target_id"] or c["target_text"])
        for c in nlp(text)._.claims
        if c["kind"] == "policy_action" and not c["negated"]
    ]


@pytest.mark.model
def test_a_bracketed_name_repeating_the_owner_keeps_the_country_as_target(nlp) -> None:
    text = "The Commerce Department restricted the People's Republic of China's (PRC) access to AI chips."
    assert acts(nlp, text) == [("us-commerce", "restrict", "china")]
    # a country that only describes the thing acted on is still not the target
    text = "Nvidia shipped the H20 to China. Weeks later Beijing formally summoned the US chipmaker."
    assert acts(nlp, text) == [("chinese-government", "summon", "nvidia")]


@pytest.mark.model
def test_conjoined_targets_of_the_same_type_pass_over_their_makers(nlp) -> None:
    text = ("The administration imposed new limits on Nvidia’s H20 chips and AMD’s MI308 chips in May, "
            "effectively halting sales to China.")
    assert [a[2] for a in acts(nlp, text)] == ["nvidia-h20", "amd-mi308"]


@pytest.mark.model
def test_listed_parties_are_the_target_not_the_country_they_come_from(nlp) -> None:
    text = "The Bureau of Industry and Security added 40 entities from China to the Entity List."
    assert acts(nlp, text) == [("us-bis", "add", "40 entities from China")]
    text = "The Bureau of Industry and Security said it had added 40 entities to the Entity List, from Iran."
    assert acts(nlp, text) == [("us-bis", "add", "40 entities")]
    # a named party is still the one listed
    text = "The Bureau of Industry and Security added China's Huawei to the Entity List."
    assert acts(nlp, text) == [("us-bis", "add", "huawei")]


@pytest.mark.model
def test_named_members_of_a_governmental_group_act_as_government_bodies(nlp) -> None:
    text = "Several federal agencies, such as NASA and the U.S. Navy, have banned DeepSeek on staff phones."
    assert acts(nlp, text) == [("nasa", "ban", "deepseek"), ("us-navy", "ban", "deepseek")]
    # members of a group of companies are still no government
    assert acts(nlp, "Several firms, such as Apple and Nvidia, have banned DeepSeek on their devices.") == []


@pytest.mark.model
def test_law_enforcement_acts_on_goods_not_on_their_maker_or_route(nlp) -> None:
    text = "Law enforcement seized 200 Nvidia GPUs in Miami, the Justice Department said."
    assert acts(nlp, text) == [("Law enforcement", "seize", None)]
    text = "Law enforcement stopped attempts to export 30 servers through Vietnam, the ministry said."
    assert acts(nlp, text) == [("Law enforcement", "stop", None)]
    # the company's people are the company acted on
    text = "China's cyberspace regulator summoned Nvidia representatives on Thursday."
    assert [a[2] for a in acts(nlp, text)] == ["nvidia"]


@pytest.mark.model
def test_a_past_act_set_beside_a_report_is_the_actors_policy_action(nlp) -> None:
    text = "Nvidia said sales fell sharply because the Commerce Department restricted exports of the H20."
    assert acts(nlp, text) == [("us-commerce", "restrict", "nvidia-h20")]
    text = ("Nvidia said on Monday that it might resume shipments, weeks after the Commerce Department "
            "restricted exports of the H20.")
    assert acts(nlp, text) == [("us-commerce", "restrict", "nvidia-h20")]
    # an open "after" may be the speaker's condition, not a fact
    assert acts(nlp, "Nvidia said it would resume sales after the Commerce Department lifted the ban.") == []


@pytest.mark.model
def test_list_lines_continue_the_same_act_just_before(nlp) -> None:
    text = ("The Bureau of Industry and Security added 30 entities to the Entity List on Friday. "
            "The rule gives details.\n• Nine entities added for contributions to drone programs\n"
            "• Four entities added for supplying Iran")
    assert acts(nlp, text) == [("us-bis", "add", "30 entities"), ("us-bis", "add", "Nine entities"),
                               ("us-bis", "add", "Four entities")]
    # without an earlier act of that verb, no actor to carry
    assert acts(nlp, "Nine entities added for contributions to drone programs") == []


@pytest.mark.model
def test_an_em_dash_before_a_number_is_split_off(nlp) -> None:
    doc = nlp("Nine entities—five in Iran—are listed, and 12 firms—3 of them in China—too.")
    words = [t.text for t in doc]
    assert words[words.index("firms"):words.index("firms") + 3] == ["firms", "—", "3"]
    assert "entities" in words and "2020–2024" in [t.text for t in nlp("It ran 2020–2024.")]
    text = ("The Bureau of Industry and Security added 20 entities to the Entity List on Monday. "
            "12 entities—11 in China and one in Iran—are added for supplying drone parts.")
    assert acts(nlp, text)[1] == ("us-bis", "add", "12 entities")


@pytest.mark.model
def test_an_act_included_in_the_main_verbs_is_its_subjects(nlp) -> None:
    text = ("The U.S. government has taken several measures to protect its industry, including restricting "
            "China’s access to AI chips.")
    assert acts(nlp, text) == [("us-government", "restrict", "china")]
    # a company's steps are no policy, and a promised act is no act yet
    assert acts(nlp, "Nvidia has taken steps, including restricting sales of the H20 to China.") == []
    assert acts(nlp, "The regulator said it would act, including banning the H20.") == []


@pytest.mark.model
def test_an_authority_announcing_an_agentless_act_on_a_policy_is_its_actor(nlp) -> None:
    text = "China's Ministry of Commerce announced that controls on graphite will be strengthened."
    assert acts(nlp, text) == [("mofcom", "strengthen", None)]
    text = "China's Ministry of Commerce said export controls on graphite will be tightened."
    assert acts(nlp, text) == [("mofcom", "tighten", None)]
    # a possibility, or a speaker with no authority, is no act
    assert acts(nlp, "China's Ministry of Commerce said controls on graphite could be tightened.") == []
    assert acts(nlp, "Analysts said export controls on graphite will be tightened.") == []
    # strengthening anything but a policy is no policy act
    assert acts(nlp, "China's Ministry of Commerce strengthened its ties with Russia.") == []


@pytest.mark.model
def test_a_licence_required_for_a_trade_act_targets_the_goods(nlp) -> None:
    text = "Nvidia said the US government had told it a licence would be required to export its H20 chips."
    assert acts(nlp, text) == [("us-government", "require", "nvidia-h20")]


@pytest.mark.model
def test_the_owner_of_a_decision_or_announcement_is_the_actor_of_its_act(nlp) -> None:
    text = ("In response to the US Commerce Department's announcement of adding multiple Chinese entities to "
            "the Entity List, the ministry said it would respond.")
    assert acts(nlp, text) == [("us-commerce", "add", "multiple Chinese entities")]
    text = "Nvidia welcomed the Commerce Department's decision to allow sales of the H20 to China."
    assert acts(nlp, text) == [("us-commerce", "allow", "nvidia-h20")]
    # a company's decision, or a plan, is no policy action
    assert acts(nlp, "Nvidia's decision to halt sales of the H20 hurt revenue.") == []
    assert acts(nlp, "Critics attacked the Commerce Department's plan to ban the H20.") == []


@pytest.mark.model
def test_a_policy_imposed_by_a_named_authority_is_its_act(nlp) -> None:
    text = "Beijing acted in response to restrictions imposed by Washington."
    assert acts(nlp, text) == [("us-government", "restriction", None)]
    text = "Nvidia criticised the restrictions imposed by the Commerce Department on the H20."
    assert acts(nlp, text) == [("us-commerce", "restriction", "nvidia-h20")]
    assert acts(nlp, "The restrictions imposed by analysts were criticised.") == []


@pytest.mark.model
def test_keeping_goods_from_a_trade_act_is_a_policy_action(nlp) -> None:
    text = "U.S. officials have moved to keep the most advanced chips from being sold to China."
    assert acts(nlp, text) == [("us-government", "keep", "china")]
    text = "The Commerce Department moved to prevent advanced chips from being sold to China."
    assert acts(nlp, text) == [("us-commerce", "prevent", "china")]
    # a party kept from acting, or anything kept by a company, is not read as such
    text = "The Commerce Department issued export rules on Monday. These rules prevent us from shipping."
    assert [a[1] for a in acts(nlp, text)] == ["issue"]
    assert acts(nlp, "Nvidia kept its chips from overheating.") == []


@pytest.mark.model
def test_meeting_a_party_to_question_whether_is_an_authoritys_inquiry(nlp) -> None:
    text = "China's cyberspace regulator met Nvidia executives to question whether the H20 had a backdoor."
    assert acts(nlp, text) == [("cac", "meet", "nvidia")]
    # a company's question, or a meeting with no inquiry, is no policy act
    assert acts(nlp, "Nvidia met Alibaba executives to question whether the deal was fair.") == []
    assert acts(nlp, "The Commerce Department met Nvidia executives to discuss the rules.") == []


@pytest.mark.model
def test_a_dateline_glued_to_its_dash_is_no_part_of_the_subject(nlp) -> None:
    text = ("Washington, D.C.—The Department of Commerce’s Bureau of Industry and Security (BIS) is "
            "implementing a series of updates to its export controls.\n"
            "These updates will restrict China’s ability to buy chips.")
    doc = nlp(text)
    assert [t.text for t in doc[2:6]] == ["D.C.", "—", "The", "Department"]
    assert [s.text.split()[0] for s in doc.sents][:2] == ["Washington,", "The"]
    assert acts(nlp, text) == [("us-bis", "implement", None), ("us-bis", "restrict", "china")]


@pytest.mark.model
def test_undoing_the_act_just_named_acts_on_what_it_did(nlp) -> None:
    text = "The Commerce Department banned H20 sales in April but lifted the ban in July."
    assert acts(nlp, text) == [("us-commerce", "ban", "nvidia-h20"), ("us-commerce", "lift", "nvidia-h20")]
    # undoing something else keeps its own target (or none)
    text = "The Commerce Department banned H20 sales in April but eased other rules in July."
    assert acts(nlp, text) == [("us-commerce", "ban", "nvidia-h20"), ("us-commerce", "ease", None)]


@pytest.mark.model
def test_a_restricted_trades_destination_is_the_target(nlp) -> None:
    text = ("He referred to the White House's restrictions on the sale of memory chips manufactured in the "
            "United States to China.")
    assert acts(nlp, text) == [("white-house", "restriction", "china")]
    assert acts(nlp, "The White House's restrictions on chips hurt firms in China.") == [
        ("white-house", "restriction", None)]

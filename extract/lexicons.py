"""Word lists that drive claim detection; the ``aiwatch_claims_v1`` component config can override any list.

Each value is a list of lower-case lemmas (or words). Kept as data so tuning never touches the code.
"""

from __future__ import annotations


def _words(text: str) -> list[str]:
    return text.split()


DEFAULT_LEXICONS: dict[str, list[str]] = {
    # Trigger verbs, by family.
    "speech": _words(
        "say tell argue warn note write add claim state insist explain contend assert maintain suggest "
        "testify acknowledge confirm stress post respond reply caution predict emphasize emphasise urge "
        "complain observe concede admit counter signal recount defend welcome call recommend criticize "
        "criticise condemn praise denounce slam blast decry disclose reveal declare pledge promise vow "
        "reiterate assure inform notify tweet"
    ),
    # Speech verbs that carry their content as an object ("Nvidia welcomed the decision"); the others need
    # a clause or a quotation.
    "object_speech": _words(
        "defend welcome criticize criticise condemn denounce slam blast decry praise call recommend "
        "dispute counter acknowledge confirm describe urge warn"
    ),
    # Speech verbs that censure their object: an accusation when the object names a party ("condemned US
    # restrictions"), a statement otherwise ("criticised the rule").
    "censure": _words("condemn denounce criticize criticise slam blast decry"),
    "accusation": _words("accuse allege charge blame"),
    "denial": _words("deny reject dismiss refute rebut dispute rebuff"),
    "policy": _words(
        "restrict ban block add impose require approve grant sanction rescind investigate summon prohibit "
        "bar curb tighten revoke blacklist limit halt suspend fine probe expand extend license licence "
        "pause freeze penalize penalise designate order deny lift ease loosen relax reverse allow permit "
        "sign enact"
    ),
    "announcement": _words("announce launch release unveil introduce publish debut roll ship preview"),
    # Objects that make "published/released X" an announcement when X is not itself a KB entity.
    "announceable": _words(
        "report guidance post blog decision deal agreement investment partnership initiative "
        "rule regulation framework model chip version paper result plan policy measure control "
        "restriction list update product system tool standard strategy order essay article analysis "
        "letter note summary brief act bill legislation law proposal ban sanction tariff"
    ),
    # Content cues: verbs asserting wrongdoing by their subject, modifiers marking it, nouns naming it.
    "wrongdoing": _words(
        "distill distil copy steal extract violate evade smuggle misuse abuse circumvent plagiarize "
        "plagiarise scrape infringe divert siphon breach exfiltrate pilfer launder skirt dodge flout "
        "funnel hack rip piggyback harvest"
    ),
    "wrongdoing_modifiers": _words(
        "fraudulent fraudulently obfuscated unlawful unlawfully illicit illicitly illegal illegally "
        "improper improperly unauthorized unauthorised covert covertly"
    ),
    "wrongdoing_nouns": _words(
        "distillation theft violation smuggling infringement evasion misuse abuse breach copying "
        "plagiarism diversion espionage backdoor backdoors"
    ),
    # Verbs whose subject commits the wrongdoing noun they govern ("engaged in distillation").
    "doing_verbs": _words("engage commit conduct carry use employ involve run orchestrate undertake perform"),
    # "used <outputs> to train": a use verb whose object or purpose names model outputs.
    "use_verbs": _words("use train harvest collect query"),
    "output_nouns": _words("output outputs response responses answer answers"),
    "denial_cues": _words(
        "baseless unfounded groundless untrue fabricate fabricated smear slander categorically"
    ),
    # Weaker denial words that only deny next to an accusation noun ("called the allegations false").
    "weak_denial_cues": _words("false inaccurate incorrect wrong misleading nonsense ridiculous absurd"),
    "accusation_nouns": _words(
        "claim allegation accusation charge report suggestion assertion characterization characterisation "
        "suspicion finding story"
    ),
    # Nominal references resolved like pronouns.
    "org_nouns": _words("company firm lab startup start-up chipmaker developer group laboratory maker"),
    "gov_nouns": _words(
        "agency department ministry administration government regulator bureau commission committee "
        "office embassy"
    ),
    # Government nominals that must match a name to resolve ("the bureau" -> Bureau of Industry and Security).
    "named_gov_nouns": _words("department ministry bureau agency commission committee office embassy"),
    # Posts held by one person: "the chairman said" refers to a person named earlier.
    "person_role_nouns": _words(
        "chairman chair chairwoman secretary minister director executive founder president"
    ),
    "role_nouns": _words(
        "spokesperson spokesman spokeswoman official representative executive officer chairman chair "
        "director secretary minister"
    ),
    # Subject nouns through whose modifiers a speaker is named ("a spokesperson for X", "X's founder"); not
    # "members", "people" or "staff": two members of the House are not the House.
    "agent_nouns": _words(
        "founder co-founder chief head ceo president lawyer adviser advisor team unit researcher researchers "
        "engineer engineers analyst analysts scientist scientists division arm report filing statement memo "
        "post blog paper letter complaint lawsuit study officials executives leaders"
    ),
    # Heads that make a governed trigger hypothetical ("plans to ban", "threatened to restrict").
    "hypothetical_heads": _words(
        "plan propose seek consider threaten want hope aim intend expect try weigh urge recommend ask call"
    ),
    # "opened an investigation into X" is a policy action; "made accusations against X" an accusation.
    "opening_verbs": _words("open launch start begin initiate announce"),
    "probe_nouns": _words("investigation probe inquiry review"),
    "making_verbs": _words("make level lodge repeat renew file"),
    "modal_aux": _words("would could may might should will"),
    # Topic cues.
    "topic_distillation": _words(
        "distill distil distillation output outputs copy train training model chatbot api terms scrape "
        "weights reasoning benchmark data account accounts query queries"
    ),
    "topic_export_controls": _words(
        "export exports chip chips license licence licenses licences semiconductor semiconductors gpu "
        "gpus smuggle smuggling hbm tariff accelerator accelerators sale sales ship shipment shipments "
        "gallium germanium controls control entity"
    ),
}

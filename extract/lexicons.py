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
        "reiterate assure inform notify tweet recall report describe detail characterize characterise "
        "portray depict liken tout boast question comment remark mention highlight lament quip "
        "brief threaten demand ask accept agree disagree estimate forecast continue cite attack endorse "
        "point project"
    ),
    # Verbs only people and bodies do: their subject is a speaker whatever noun it is ("the mayor said").
    "speaking_verbs": _words(
        "say tell argue claim insist contend assert add write explain testify reply respond tweet declare "
        "warn caution acknowledge admit concede complain recall remark quip continue cite"
    ),
    # Cognition and evidence verbs: attributions of a belief, a wish or a finding; they need a clause
    # ("believes that ...", "the survey found that ..."), a quotation, or for "want/hope/expect" an
    # infinitive ("wants chipmakers to serve US buyers first").
    "cognition": _words(
        "believe think feel fear worry doubt expect hope want know suspect consider understand wonder "
        "assume recognize recognise realize realise"
    ),
    "evidence": _words("show find suggest indicate reveal conclude determine demonstrate prove document"),
    # Cognition verbs that take an infinitive as their content.
    "wish_verbs": _words("want hope expect intend wish agree"),
    # Participles that report a claim of their own after another trigger ("..., adding that ...");
    # "saying" stays part of the claim it hangs on.
    "own_participles": _words("add note warn argue stress insist point emphasize emphasise caution"),
    # Speech verbs that carry their content as an object ("Nvidia welcomed the decision"); the others need
    # a clause or a quotation.
    "object_speech": _words(
        "defend welcome criticize criticise condemn denounce slam blast decry praise call recommend "
        "dispute counter acknowledge confirm describe urge warn cite note mention attack endorse"
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
        "sign enact list delist stop clear authorize authorise indict prosecute convict arrest detain seize "
        "levy waive"
    ),
    "announcement": _words("announce launch release unveil introduce publish debut roll ship preview"),
    # Objects that make "published/released X" an announcement when X is not itself a KB entity.
    "announceable": _words(
        "report guidance post blog decision deal agreement investment partnership initiative "
        "rule regulation framework model chip version paper result plan policy measure control "
        "restriction list update product system tool standard strategy order essay article analysis "
        "letter note summary brief act bill legislation law proposal ban sanction tariff "
        "chatbot assistant app application service preview feature platform processor accelerator gpu "
        "api dataset program programme guideline"
    ),
    # Content cues: verbs asserting wrongdoing by their subject, modifiers marking it, nouns naming it.
    "wrongdoing": _words(
        "distill distil copy steal extract violate evade smuggle misuse abuse circumvent plagiarize "
        "plagiarise scrape infringe divert siphon breach exfiltrate pilfer launder skirt dodge flout "
        "funnel hack rip piggyback harvest hide conceal falsify disguise mislabel bypass spy weaponize "
        "weaponise coerce bully suppress politicize politicise militarize militarise sabotage defraud cheat "
        "deceive exploit free-ride freeride"
    ),
    "wrongdoing_modifiers": _words(
        "fraudulent fraudulently obfuscated unlawful unlawfully illicit illicitly illegal illegally "
        "improper improperly unauthorized unauthorised covert covertly fake bogus sham forged stolen "
        "inappropriate inappropriately wrongful wrongfully deceptive deceptively"
    ),
    "wrongdoing_nouns": _words(
        "distillation theft violation smuggling infringement evasion misuse abuse breach copying "
        "plagiarism diversion espionage backdoor backdoors fraud coercion bullying suppression piracy "
        "sabotage free-riding freeriding free-rider theft stealing"
    ),
    # Verbs whose subject commits the wrongdoing noun they govern ("engaged in distillation").
    "doing_verbs": _words("engage commit conduct carry use employ involve run orchestrate undertake perform"),
    # Verbs whose subject made or used an instrument marked as wrongful ("created fraudulent accounts").
    "instrument_verbs": _words(
        "create use set open register operate run make employ deploy build generate establish utilise utilize"
    ),
    # Verbs that put an act down to a party ("linked the campaign to X", "attributed the attacks to Y").
    "attribution_verbs": _words("link tie attribute trace connect pin"),
    # Acts that such verbs attribute, besides wrongdoing nouns and doers.
    "attributed_nouns": _words("attack attacks activity activities intrusion intrusions incident incidents"),
    # "used <outputs> to train": a use verb whose object or purpose names model outputs.
    "use_verbs": _words("use train harvest collect query"),
    # "detected obfuscated methods": verbs of finding whose object's wrongdoing is asserted.
    "discovery_verbs": _words(
        "detect find identify uncover spot observe discover catch flag disrupt thwart block"
    ),
    # "evidence of distillation": nouns of a finding that make a wrongdoing noun asserted.
    "evidence_nouns": _words("evidence sign signs proof indication indications trace traces"),
    # Verbs of copying someone's technology: wrongdoing only with such an object ("replicate US AI models",
    # "mimic proprietary systems"), not "replicate the results".
    "imitation_verbs": _words("replicate mimic clone imitate reverse-engineer copy"),
    "imitated_nouns": _words(
        "model models capability capabilities technology technologies system systems product products "
        "chip chips design designs output outputs ip property research know-how secret secrets weights "
        "reasoning ability abilities innovation innovations"
    ),
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
    # Nouns naming where a statement was made: "said in a statement", "In a memo, X described ...": any verb
    # with such an "in" phrase and a speaker reports what follows.
    "statement_nouns": _words(
        "statement post memo letter interview filing report blog briefing release note testimony speech "
        "remarks tweet comment comments submission notice document complaint op-ed essay paper"
    ),
    # Verbs that name their object something: an accusation when the name is a wrongdoing ("called the
    # conduct theft", "described DeepSeek as a spy tool").
    "naming_verbs": _words(
        "call describe label brand characterize characterise term dub portray depict liken"
    ),
    # Nouns that report their possessor's words when a "that" clause follows ("Trump's claim that ...",
    # "OpenAI's allegation that DeepSeek ...").
    "claim_nouns": _words(
        "claim claims assertion assertions allegation allegations accusation accusations charge charges "
        "statement warning argument suggestion contention insistence promise pledge remark remarks comment "
        "comments belief view insistence admission acknowledgment acknowledgement prediction"
    ),
    # Nouns that accuse on behalf of their possessor ("Anthropic's accusations that DeepSeek ...").
    "accusation_cue_nouns": _words("accusation accusations allegation allegations charge charges"),
    # Verbs that deliver a document whose participle speaks for the sender ("sent a memo accusing ...").
    "delivery_verbs": _words(
        "send submit file write issue deliver present pen draft publish release circulate"
    ),
    # Speakers that are documents: "the report says", "according to the survey".
    "document_nouns": _words(
        "report study survey poll memo memorandum letter filing statement document analysis paper "
        "complaint indictment lawsuit suit affidavit ruling order notice guidance cable post blog data "
        "research review assessment audit investigation probe findings finding estimate estimates "
        "transcript release bill text rule regulation draft testimony presentation slide slides "
        "forecast figures records record"
    ),
    # Plural people or bodies that speak together without a name: "officials said", "lawmakers warned".
    "group_nouns": _words(
        "official officials lawmaker lawmakers legislator legislators analyst analysts expert experts "
        "critic critics researcher researchers executive executives observer observers investor investors "
        "regulator regulators authorities authority prosecutor prosecutors diplomat diplomats senator "
        "senators representative representatives democrats republicans leader leaders member members "
        "economist economists scientist scientists engineer engineers insiders advocate advocates "
        "supporter supporters opponent opponents campaign administration government people company "
        "companies firm firms lab labs startup startups media industry group groups voter voters staff "
        "employee employees adviser advisers advisor advisors aide aides spokespeople officers agencies "
        "ministries observers commentators skeptics sceptics proponents enforcement"
    ),
    # Words that make a person or group anonymous: "people familiar with the matter", "a source close to".
    "anonymous_markers": _words("familiar close anonymity briefed knowledgeable identified named anonymous"),
    "anonymous_heads": _words(
        "person people source sources official officials insider insiders individual individuals executive "
        "executives employee employees someone one"
    ),
    # News outlets and wire agencies: a speaker of kind "outlet", or the channel of someone else's claim.
    "outlets": [
        "reuters", "bloomberg", "bloomberg news", "associated press", "ap", "afp", "agence france-presse",
        "xinhua", "xinhua news agency", "financial times", "ft", "wall street journal", "wsj",
        "new york times",
        "nyt", "washington post", "cnbc", "cnn", "nbc", "nbc news", "bbc", "the information", "nikkei",
        "nikkei asia", "south china morning post", "scmp", "global times", "cctv", "china daily",
        "people's daily", "caixin", "yicai", "semafor", "axios", "politico", "the verge", "techcrunch",
        "wired", "fortune", "forbes", "the guardian", "guardian", "the economist", "economist", "fox news",
        "abc news", "cbs news", "npr", "yonhap", "kyodo", "kyodo news", "digitimes", "the register",
        "tom's hardware", "ars technica", "business insider", "insider", "the atlantic", "time",
        "newsweek", "usa today", "huffington post", "breitbart", "new york post", "the hill", "dow jones",
        "marketwatch", "barron's", "the times", "the telegraph", "al jazeera", "dpa", "tass", "ani", "pti",
        "infosecurity magazine", "the wire china", "rest of world", "sina", "36kr", "jiemian", "the paper",
    ],
    # Nouns of a policy act by their possessor or a "by" agent ("the department's ban on H20 sales").
    # A party's conduct: what it does stands for it ("the U.S. bullying behavior undermines ...").
    "conduct_nouns": _words("behavior behaviour conduct practice practices action actions"),
    "policy_nouns": _words(
        "ban bans restriction restrictions curb curbs control controls rule rules requirement requirements "
        "rescission summons sanction sanctions charge charges indictment tariff tariffs probe investigation "
        "blacklisting listing licence license prohibition embargo crackdown designation order limit limits "
        "conviction"
    ),
    # Heads of a group that can be accused without a name ("three Chinese AI labs", "the operations").
    "doer_nouns": _words(
        "firm company lab laboratory developer startup start-up operation campaign actor group entity "
        "hacker individual defendant person competitor rival operator network smuggler broker reseller "
        "unicorn player organization organisation enterprise business maker chipmaker manufacturer "
        "supplier distributor buyer account attacker adversary team researcher engineer employee "
        "competitor agent intermediary company"
    ),
    # Verbs that enact a policy noun they take as object ("instituted new restrictions", "issued rules").
    "act_verbs": _words(
        "institute issue adopt put place slap implement enforce unveil introduce release announce strengthen"
    ),
    # Verbs that stop an act: a policy act only on goods, with "from" and a gerund ("keep chips from being
    # sold"; not "prevent us from shipping", whose party is read elsewhere).
    "prevention_verbs": _words("keep prevent"),
    # Heads that name a policy act only with a policy noun before them ("export control measures").
    "policy_heads": _words("measure measures package update updates change changes action actions"),
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
        "chairman chair chairwoman secretary minister director executive founder president senator "
        "governor ambassador premier commissioner congressman congresswoman"
    ),
    "role_nouns": _words(
        "spokesperson spokesman spokeswoman official representative executive officer chairman chair "
        "director secretary minister president senator governor ambassador premier commissioner "
        "congressman congresswoman"
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
    "opening_verbs": _words("open launch start begin initiate announce conduct carry"),
    # Verbs by which an authority directs a party to act ("asked Nvidia to explain", "instructed firms to
    # cancel orders"): a policy action on that party, or on the chip or model the directed act concerns
    # ("wants firms to prioritise US buyers" is a wish, not a directive)
    "directive_verbs": _words("order instruct direct require demand ask tell summon"),
    # "Microsoft is investigating whether ...": inquiries that, by a company, report a question it examines.
    "inquiry_verbs": _words("investigate probe examine review study"),
    # "raised concerns", "voiced similar skepticism about DeepSeek": a stance voiced, a statement.
    "stance_verbs": _words(
        "raise express voice air share flag emphasise emphasize stress reiterate reaffirm restate underline "
        "underscore"
    ),
    # Verbs that appraise their object, a party or its work: the party is what the statement is about.
    "appraisal_verbs": _words("praise hail laud commend applaud"),
    # Verbs that doubt a "whether" clause: its subject is what the statement is about.
    "doubt_verbs": _words("question doubt"),
    "stance_nouns": _words(
        "concern concerns doubt doubts skepticism scepticism worry worries fear fears objection objections "
        "reservation reservations alarm misgivings criticism stance position commitment opposition support"
    ),
    # Permissions whose negation is a ban ("will no longer allow sales of gallium to the US").
    "permission_verbs": _words("allow permit authorize authorise approve"),
    "probe_nouns": _words(
        "investigation probe inquiry review campaign push initiative crackdown drive effort proceeding "
        "proceedings case"
    ),
    "making_verbs": _words("make level lodge repeat renew file"),
    # Verbs that voice someone's allegations as one's own, with an allegation noun only ("echoed the
    # allegations"; not "echoed the report").
    "echoing_verbs": _words("echo voice air reiterate raise"),
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

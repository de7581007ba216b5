"""The built-in weekly exchange prompts, theme by theme.

Every prompt asks about a *practice* (who decides, how people take part, how the work is financed as a model,
how know-how passes on, what failed) and never about machines, buildings or budgets: comparing means only
shows who has more, while practices can be compared as equals. The English text is the msgid of the gettext
domain `prompts` (locales/<lang>/LC_MESSAGES/prompts.po); regenerate the template with
`pybabel extract -k N_ -o locales/prompts.pot bot/domain/prompt_library.py bot/domain/framing.py`.
"""

from __future__ import annotations

from dataclasses import dataclass

THEMES = ("food", "insertion", "circular")


def N_(message: str) -> str:
    """Mark a string for extraction without translating it here (translation happens per recipient)."""
    return message


@dataclass(frozen=True)
class BuiltinPrompt:
    key: str  # stable across releases, e.g. "food-03-canteen-supply": circles record which keys they used
    theme: str
    text: str  # English msgid in the `prompts` domain


def _p(key: str, text: str) -> BuiltinPrompt:
    return BuiltinPrompt(key=key, theme=key.split("-", 1)[0], text=text)


# Order matters: rotation hands prompts out in this order, so each theme opens with who decides.
_LIBRARY = (
    _p("food-01-who-decides", N_(
        "Who decides what is grown, cooked or sold in your project, and how do the people who eat the food "
        "have a say? Tell us about a recent decision and how it was taken.")),
    _p("food-02-farmers-families-trust", N_(
        "How did you build trust between the farmers and the families who buy their food? Tell us about a "
        "moment when that trust was tested, and what you did together.")),
    _p("food-03-canteen-supply", N_(
        "Tell us how a school or community canteen near you came to buy from local farmers. Who pushed for "
        "it, who had to be convinced, and how did they agree?")),
    _p("food-04-shared-risk", N_(
        "When a harvest is bad, who carries the loss in your project: the farmers, the buyers, or everyone "
        "together? Tell us how you agreed on that rule.")),
    _p("food-05-financing-model", N_(
        "How is your food project financed as an organisation: who contributes (members, buyers, partners, "
        "the local authority) and what happens if one of them stops? Tell us how you chose this model.")),
    _p("food-06-passing-on-know-how", N_(
        "How do experienced growers or cooks pass on their know-how to newcomers in your group? Tell us about "
        "something you learned from an elder.")),
    _p("food-07-young-people", N_(
        "How do young people take part in your food project, and what made them want to stay? Tell us about "
        "one young person's path.")),
    _p("food-08-women-decide", N_(
        "What roles do women hold in your food project, from the field to the market and in decisions? Tell "
        "us about a change in who decides.")),
    _p("food-09-what-failed", N_(
        "Tell us about something in your food project that did not work. What did you change afterwards, and "
        "who took part in that decision?")),
    _p("food-10-local-authority", N_(
        "How do you work with your municipality or local authority on food questions? Tell us about a time "
        "you convinced them, or they convinced you.")),
    _p("food-11-traditional-practices", N_(
        "Which traditional ways of growing, preserving or sharing food does your community keep alive, and "
        "how are they passed on? Tell us one story.")),
    _p("food-12-dignified-access", N_(
        "How do people with little income get good food through your project without being treated as "
        "recipients of charity? Tell us how you organise it with them.")),
    _p("food-13-town-and-country", N_(
        "How do you connect the countryside and the town, the farmers in the villages and the families in "
        "the city? Tell us about an exchange between them that worked.")),
    _p("food-14-learn-from-partners", N_(
        "Which practice of your partners on the other side would you like to try in your own food project, "
        "and which of yours could inspire them? Tell us why.")),
    _p("insertion-01-first-welcome", N_(
        "How do you welcome someone on their first day in your insertion programme? Tell us what you learned "
        "about helping people feel they belong.")),
    _p("insertion-02-participants-decide", N_(
        "How do the people in insertion take part in decisions about their own path and about the life of "
        "your structure? Tell us about a decision they shaped.")),
    _p("insertion-03-mentoring", N_(
        "How is know-how passed on between experienced workers and newcomers in your structure? Tell us about "
        "a mentoring pair that worked well, and why.")),
    _p("insertion-04-employers", N_(
        "How do you build relations with local employers or craftspeople so that they open their doors? Tell "
        "us about one who changed their mind.")),
    _p("insertion-05-financing-model", N_(
        "How is your insertion activity financed as a model: what comes from the work itself, from public "
        "partners, from members? Tell us how you share the risk when one source falls away.")),
    _p("insertion-06-what-failed", N_(
        "Tell us about someone who left your programme before the end. What did you understand afterwards, "
        "and what did you change with the team?")),
    _p("insertion-07-young-people", N_(
        "How do you reach young people who are neither in school nor in work, and what makes them come back? "
        "Tell us about a way of reaching them that surprised you.")),
    _p("insertion-08-women", N_(
        "What helps women take part in your insertion activities alongside their family duties? Tell us how "
        "you organised things together with them.")),
    _p("insertion-09-elders", N_(
        "How do older people, retired workers or elders take part in your insertion work? Tell us about "
        "something they taught the younger ones.")),
    _p("insertion-10-recognising-skills", N_(
        "How do you recognise the skills people already have when they arrive, even without a diploma? Tell "
        "us about a skill you discovered in someone.")),
    _p("insertion-11-local-authority", N_(
        "How do you work with the local authority and public services on insertion? Tell us about a time the "
        "partnership helped, or got in the way.")),
    _p("insertion-12-collective-project", N_(
        "How do you help a group of people start a collective project together, such as a cooperative or an "
        "association? Tell us how they learned to decide together.")),
    _p("insertion-13-apprenticeship", N_(
        "How does apprenticeship with a master craftsperson work in your territory, and what could others "
        "learn from it? Tell us about one apprentice's journey.")),
    _p("insertion-14-learn-from-partners", N_(
        "Which practice from your insertion work would you like to share with your partners on the other "
        "side, and what would you like to learn from them? Tell us why.")),
    _p("circular-01-inhabitants-decide-waste", N_(
        "How do the inhabitants of your neighbourhood take part in deciding what happens to waste? Tell us "
        "about a meeting or a moment when they had their say.")),
    _p("circular-02-informal-collectors", N_(
        "How do you work with the people who already collect or sort waste informally in your area? Tell us "
        "how you built the relationship with them.")),
    _p("circular-03-repair-know-how", N_(
        "How do people in your community learn to repair, reuse or share things instead of throwing them "
        "away? Tell us about someone who passed on that know-how.")),
    _p("circular-04-financing-model", N_(
        "How is your circular economy activity financed as an organisation: who contributes, and how is the "
        "risk shared between members, households and partners? Tell us how this model came about.")),
    _p("circular-05-what-failed", N_(
        "Tell us about a waste or reuse initiative that did not work out as planned. What did you learn, and "
        "what did you change with the people involved?")),
    _p("circular-06-household-habits", N_(
        "How did households in your area come to change their habits around waste? Tell us what convinced "
        "them and who led the change.")),
    _p("circular-07-young-people", N_(
        "How do young people take part in your circular economy project? Tell us about an idea that came "
        "from them and what became of it.")),
    _p("circular-08-women", N_(
        "What part do women play in collecting, transforming or reselling materials in your community, and "
        "do they take part in decisions? Tell us about one of them.")),
    _p("circular-09-local-authority", N_(
        "How do you share the work of waste management with your municipality or local authority? Tell us "
        "how you agreed on who does what.")),
    _p("circular-10-rules-together", N_(
        "How were the rules of your collection or reuse activity set, and who can change them? Tell us about "
        "a rule that the members changed together.")),
    _p("circular-11-schools-children", N_(
        "How do you involve schools, children and their families in reducing waste? Tell us about an "
        "activity that the children carried home.")),
    _p("circular-12-elders-habits", N_(
        "Which old habits of reusing and sharing, kept alive by elders, inspire your work today? Tell us "
        "about one of them and how you pass it on.")),
    _p("circular-13-market-traders", N_(
        "How do you work with market traders and shopkeepers to reduce waste at the market? Tell us how the "
        "conversation with them started.")),
    _p("circular-14-learn-from-partners", N_(
        "Which way of organising waste or reuse in your partners' territory would you like to try at home, "
        "and what could they learn from you? Tell us why.")),
)

_BY_KEY = {prompt.key: prompt for prompt in _LIBRARY}


def prompts_for_theme(theme: str) -> tuple[BuiltinPrompt, ...]:
    """The prompts of one theme in library order; empty for an unknown theme."""
    return tuple(prompt for prompt in _LIBRARY if prompt.theme == theme)


def prompt_by_key(key: str) -> BuiltinPrompt | None:
    """The prompt with this stable key, or None (e.g. a key retired from the library)."""
    return _BY_KEY.get(key)

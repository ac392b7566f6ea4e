"""Generate a synthetic SemEval-2014 Task 4 (restaurants) style XML file.

The output is meant for timing the training step at realistic sizes (the
standard SemEval restaurant split has 3,041 train sentences / 3,693 aspect
terms and 800 test sentences / 1,134 aspect terms), not for measuring model
quality: sentences are built by recombining a few hundred original clause
fragments with aspect terms and polarities. The output is deterministic for a
given ``--seed``.

Example:
    python benchmarks/synth_semeval.py --sentences 3041 --seed 0 --out /tmp/train.xml
    python benchmarks/synth_semeval.py --sentences 800 --seed 1 --prefix test --out /tmp/test.xml
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

POLARITIES: tuple[str, ...] = ("positive", "negative", "neutral", "conflict")
# Roughly the SemEval-2014 restaurant training distribution.
POLARITY_WEIGHTS: tuple[float, ...] = (0.58, 0.22, 0.17, 0.03)
# Number of aspect terms in a sentence: 0 for ~25%, then mostly 1 or 2.
ASPECT_COUNTS: tuple[int, ...] = (0, 1, 2, 3, 4)
ASPECT_COUNT_WEIGHTS: tuple[float, ...] = (0.25, 0.40, 0.25, 0.075, 0.025)

ASPECT_TERMS: dict[str, tuple[str, ...]] = {
    "food": (
        "pasta",
        "pizza",
        "sushi",
        "ramen",
        "burger",
        "fries",
        "steak",
        "salmon",
        "tacos",
        "dumplings",
        "curry",
        "pad thai",
        "lamb shank",
        "risotto",
        "chicken tikka masala",
        "fish tacos",
        "short ribs",
        "calamari",
        "gnocchi",
        "pork belly",
        "brisket",
        "falafel",
        "hummus",
        "naan",
        "pho",
        "bibimbap",
        "croissant",
        "bagel",
        "soup",
        "salad",
        "oysters",
        "scallops",
        "duck",
        "crème brûlée",
        "tiramisu",
        "cheesecake",
        "jalapeño poppers",
        "gelato",
        "lobster roll",
        "mac and cheese",
        "fried chicken",
        "waffles",
        "omelette",
        "spring rolls",
        "carnitas",
        "empanadas",
        "paella",
        "lasagna",
        "meatballs",
        "bread",
        "dessert",
        "appetizers",
        "entrées",
        "sides",
        "food",
        "dishes",
        "tasting menu",
        "brunch",
        "breakfast",
        "seafood platter",
        "veggie burger",
    ),
    "drinks": (
        "coffee",
        "espresso",
        "cocktails",
        "wine",
        "wine list",
        "beer selection",
        "margaritas",
        "sangria",
        "cappuccino",
        "iced tea",
        "lemonade",
        "mojito",
        "house red",
        "craft beers",
        "martini",
        "latte",
        "smoothies",
        "drinks",
    ),
    "service": (
        "service",
        "staff",
        "waiter",
        "waitress",
        "server",
        "bartender",
        "hostess",
        "host",
        "manager",
        "wait staff",
        "sommelier",
        "kitchen",
        "delivery",
    ),
    "ambience": (
        "ambience",
        "atmosphere",
        "decor",
        "music",
        "patio",
        "dining room",
        "lighting",
        "view",
        "terrace",
        "booths",
        "interior",
        "vibe",
        "seating",
    ),
    "price": ("prices", "price", "bill", "value", "portions", "happy hour deals"),
    "misc": (
        "location",
        "wait",
        "reservation",
        "menu",
        "parking",
        "restrooms",
        "table",
        "line",
        "hours",
        "wifi",
    ),
}

# Clause fragments: "{t}" is replaced by an aspect term. Keyed by category
# ("any" applies to every category) and polarity.
CLAUSES: dict[str, dict[str, tuple[str, ...]]] = {
    "any": {
        "positive": (
            "the {t} was excellent",
            "I loved the {t}",
            "the {t} never disappoints",
            "the {t} was honestly the best part",
            "the {t} was better than expected",
            "we were impressed by the {t}",
            "the {t} was fantastic",
            "the {t} was really good",
            "the {t} is a big plus",
            "I can't say enough good things about the {t}",
            "the {t} was great",
            "the {t} was not bad at all",
            "the {t} deserves every bit of praise",
            "the {t} made the night",
            "the {t} was top notch",
            "no complaints about the {t}",
            "the {t} was lovely",
            "the {t} was a pleasant surprise",
            "the {t} was spot on",
        ),
        "negative": (
            "the {t} was disappointing",
            "the {t} wasn't great",
            "I hated the {t}",
            "the {t} was a letdown",
            "the {t} was terrible",
            "the {t} could be much better",
            "the {t} was mediocre at best",
            "the {t} was a real problem",
            "avoid the {t}",
            "the {t} was not worth it",
            "the {t} was awful",
            "the {t} let the whole evening down",
            "the {t} has gone downhill",
            "nobody at our table liked the {t}",
        ),
        "neutral": (
            "we asked about the {t}",
            "I noticed the {t}",
            "they changed the {t}",
            "the {t} is on the left as you walk in",
            "my friend mentioned the {t}",
            "we talked about the {t} for a while",
            "I didn't pay much attention to the {t}",
            "the {t} was as described",
            "the {t} was what you'd expect",
            "they told us about the {t}",
        ),
        "conflict": (
            "the {t} was great but inconsistent",
            "the {t} was good and bad at once",
            "the {t} had its highs and lows",
            "the {t} was impressive, if a bit much",
            "I both loved and hated the {t}",
        ),
    },
    "food": {
        "positive": (
            "the {t} was delicious",
            "the {t} was perfectly cooked",
            "the {t} was fresh and flavorful",
            "the {t} melted in my mouth",
            "the {t} was seasoned just right",
            "the {t} was packed with flavor",
            "the {t} was crispy and hot",
            "the {t} tasted homemade",
            "you have to try the {t}",
            "the {t} was absolutely divine",
            "the {t} was generous and tasty",
            "I'd come back just for the {t}",
            "the {t} was rich without being heavy",
            "the {t} was gone in minutes",
        ),
        "negative": (
            "the {t} was bland",
            "the {t} was overcooked",
            "the {t} was cold",
            "the {t} was way too salty",
            "the {t} was greasy",
            "the {t} was dry",
            "the {t} tasted reheated",
            "the {t} was soggy",
            "the {t} was undercooked",
            "the {t} was tiny for the price",
            "the {t} tasted like it came from a can",
            "the {t} was stale",
            "the {t} was swimming in sauce",
        ),
        "neutral": (
            "I ordered the {t}",
            "my wife got the {t}",
            "we shared the {t}",
            "we split the {t} for the table",
            "the {t} comes with a side salad",
            "we took the leftover {t} home",
            "they were out of the {t}",
            "I had the {t} for lunch",
            "the {t} is on the specials board",
        ),
        "conflict": (
            "the {t} was tasty but far too salty",
            "the {t} was flavorful but cold",
            "the {t} looked amazing but tasted bland",
            "the {t} was fresh but tiny",
            "the {t} was delicious but greasy",
        ),
    },
    "drinks": {
        "positive": (
            "the {t} was perfectly balanced",
            "the {t} was strong and smooth",
            "the {t} was refreshing",
            "the {t} hit the spot",
        ),
        "negative": (
            "the {t} was watered down",
            "the {t} was overpriced",
            "the {t} tasted burnt",
            "the {t} was flat",
        ),
        "neutral": (
            "I ordered a round of {t}",
            "we started with the {t}",
            "the {t} is listed on the back",
            "we sipped the {t} while we waited",
        ),
        "conflict": ("the {t} was tasty but weak", "the {t} was strong but too sweet"),
    },
    "service": {
        "positive": (
            "the {t} was attentive",
            "the {t} was friendly and quick",
            "the {t} went out of their way for us",
            "the {t} was helpful and patient",
            "the {t} remembered our order",
            "the {t} treated us like family",
        ),
        "negative": (
            "the {t} was rude",
            "the {t} ignored us",
            "the {t} was painfully slow",
            "the {t} forgot our drinks",
            "the {t} got our order wrong",
            "the {t} seemed annoyed with us",
            "the {t} never checked on us",
        ),
        "neutral": (
            "the {t} brought the menus",
            "the {t} asked if we had been before",
            "the {t} explained the specials",
            "the {t} took our coats",
        ),
        "conflict": (
            "the {t} was friendly but slow",
            "the {t} was sweet but forgetful",
        ),
    },
    "ambience": {
        "positive": (
            "the {t} was cozy",
            "the {t} was charming",
            "the {t} was relaxing",
            "the {t} was perfect for a date",
            "the {t} was beautiful",
        ),
        "negative": (
            "the {t} was too loud",
            "the {t} was cramped",
            "the {t} felt dated",
            "the {t} was gloomy",
            "the {t} was freezing",
        ),
        "neutral": ("the {t} was busy", "we sat near the {t}", "the {t} was half full"),
        "conflict": ("the {t} was lovely but noisy", "the {t} was pretty but cramped"),
    },
    "price": {
        "positive": (
            "the {t} was very reasonable",
            "the {t} was a steal",
            "the {t} was fair for the quality",
        ),
        "negative": (
            "the {t} was outrageous",
            "the {t} was way too high",
            "the {t} felt like a rip-off",
        ),
        "neutral": ("the {t} was about average", "the {t} came to sixty for two"),
        "conflict": ("the {t} was high but worth it",),
    },
    "misc": {
        "positive": (
            "the {t} was convenient",
            "the {t} was painless",
            "the {t} was easy",
        ),
        "negative": (
            "the {t} was a nightmare",
            "the {t} was ridiculous",
            "the {t} was a mess",
        ),
        "neutral": ("we checked the {t} online", "someone asked about the {t}"),
        "conflict": ("the {t} was long but moved fast",),
    },
}

OPENERS: tuple[str, ...] = (
    "",
    "",
    "",
    "",
    "",
    "Honestly, ",
    "Overall, ",
    "I think ",
    "To be fair, ",
    "On our last visit, ",
    "Sadly, ",
    "Surprisingly, ",
    "As usual, ",
    "Tonight ",
    "For what it's worth, ",
    "ok so ",
    "Last Friday ",
)
CONNECTORS: dict[str, tuple[str, ...]] = {
    "same": (", and ", " and ", ", plus ", "; ", ", also "),
    "contrast": (", but ", " but ", ", although ", ", while ", "; however, ", ", yet "),
}
CLOSERS: tuple[str, ...] = (
    ".",
    ".",
    ".",
    ".",
    "!",
    "!!",
    "...",
    " 😋",
    " lol.",
    ", to be honest.",
    " this time.",
    " as always.",
)
NO_ASPECT_SENTENCES: tuple[str, ...] = (
    "We came here on a Tuesday.",
    "Highly recommend this restaurant.",
    "We will never go back.",
    "It was my birthday dinner.",
    "A friend told us about this place.",
    "Five stars, no question.",
    "Total disappointment.",
    "I've been here maybe a dozen times.",
    "We walked in without a reservation.",
    "It's cash only.",
    "Worth the trip across town.",
    "Not what it used to be.",
    "What a find!",
    "Meh.",
    "Skip it.",
    "We were a party of six.",
    "I wanted to love this place.",
    "Came for lunch with coworkers.",
    "It's right next to the train station.",
    "They just reopened.",
    "Pretty average overall.",
    "Hidden gem!!",
    "Will be back soon.",
    "Such a letdown.",
    "I don't get the hype.",
    "Perfect for a first date.",
    "We drove an hour to get here.",
    "My parents loved it.",
    "It was fine.",
    "Update: went back again.",
    "We stopped in before the show.",
    "Not bad for an airport restaurant.",
    "Our third visit this month.",
)
NO_ASPECT_PREFIXES: tuple[str, ...] = ("", "", "", "Honestly, ", "Anyway. ", "So. ")


@dataclass
class AspectTerm:
    """One annotated aspect term.

    Attributes:
        term: The aspect term exactly as it appears in the text.
        polarity: One of :data:`POLARITIES`.
        start: Character offset of the first character (``from``).
        end: Character offset one past the last character (``to``).
    """

    term: str
    polarity: str
    start: int
    end: int


@dataclass
class Sentence:
    """One sentence with its aspect terms.

    Attributes:
        sid: The sentence id.
        text: The (unescaped) sentence text.
        aspects: Aspect terms, ordered by offset.
    """

    sid: str
    text: str
    aspects: list[AspectTerm] = field(default_factory=list)


def _pick_clause(rng: random.Random, category: str, polarity: str) -> str:
    """Pick a clause template for a category and polarity.

    Args:
        rng: The random generator.
        category: An :data:`ASPECT_TERMS` category.
        polarity: One of :data:`POLARITIES`.

    Returns:
        A template containing exactly one ``{t}`` placeholder.
    """
    pool = CLAUSES[category][polarity] + CLAUSES["any"][polarity]
    return rng.choice(pool)


def make_sentence(rng: random.Random, sid: str) -> Sentence:
    """Build one synthetic sentence with consistent character offsets.

    Args:
        rng: The random generator (the only source of randomness).
        sid: The sentence id to assign.

    Returns:
        The sentence; offsets satisfy ``text[start:end] == term``.
    """
    n_aspects = rng.choices(ASPECT_COUNTS, weights=ASPECT_COUNT_WEIGHTS)[0]
    if n_aspects == 0:
        text = rng.choice(NO_ASPECT_PREFIXES) + rng.choice(NO_ASPECT_SENTENCES)
        return Sentence(sid=sid, text=text)

    categories = list(ASPECT_TERMS)
    used: set[str] = set()
    parts: list[str] = [rng.choice(OPENERS)]
    length = len(parts[0])
    aspects: list[AspectTerm] = []
    previous: str | None = None
    for i in range(n_aspects):
        category = rng.choice(categories)
        term = rng.choice([t for t in ASPECT_TERMS[category] if t not in used])
        used.add(term)
        polarity = rng.choices(POLARITIES, weights=POLARITY_WEIGHTS)[0]
        if i > 0:
            kind = "same" if polarity == previous else "contrast"
            connector = rng.choice(CONNECTORS[kind])
            parts.append(connector)
            length += len(connector)
        template = _pick_clause(rng, category, polarity)
        before, after = template.split("{t}")
        start = length + len(before)
        parts.append(before + term + after)
        length += len(before) + len(term) + len(after)
        aspects.append(AspectTerm(term=term, polarity=polarity, start=start, end=start + len(term)))
        previous = polarity
    parts.append(rng.choice(CLOSERS))
    text = "".join(parts)
    # Capitalise the first letter unless the sentence is deliberately lower-case.
    if text[:1].islower() and not text.startswith("ok so") and rng.random() < 0.9:
        text = text[0].upper() + text[1:]
    for aspect in aspects:
        aspect.term = text[aspect.start : aspect.end]
    return Sentence(sid=sid, text=text, aspects=aspects)


def generate(n_sentences: int, seed: int, prefix: str = "synth") -> list[Sentence]:
    """Generate a deterministic list of synthetic sentences.

    Args:
        n_sentences: How many sentences to generate.
        seed: Seed for the random generator.
        prefix: Sentence id prefix; ids look like ``{prefix}-0001``.

    Returns:
        The sentences.

    Raises:
        ValueError: If ``n_sentences`` is negative.
    """
    if n_sentences < 0:
        raise ValueError(f"n_sentences must be >= 0, got {n_sentences}")
    rng = random.Random(seed)
    width = max(4, len(str(n_sentences)))
    return [make_sentence(rng, f"{prefix}-{i:0{width}d}") for i in range(1, n_sentences + 1)]


def to_xml(sentences: list[Sentence]) -> str:
    """Serialise sentences in the SemEval-2014 Task 4 XML format.

    Args:
        sentences: The sentences to serialise.

    Returns:
        The XML document as a string (ending with a newline).
    """
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', "<sentences>"]
    for sentence in sentences:
        lines.append(f"    <sentence id={quoteattr(sentence.sid)}>")
        lines.append(f"        <text>{escape(sentence.text)}</text>")
        if sentence.aspects:
            lines.append("        <aspectTerms>")
            for a in sentence.aspects:
                lines.append(
                    f"            <aspectTerm term={quoteattr(a.term)} "
                    f'polarity="{a.polarity}" from="{a.start}" to="{a.end}"/>'
                )
            lines.append("        </aspectTerms>")
        lines.append("    </sentence>")
    lines.append("</sentences>")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run the command-line interface.

    Args:
        argv: Arguments (defaults to ``sys.argv[1:]``).

    Returns:
        The process exit code.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sentences", type=int, default=3041, help="number of sentences")
    parser.add_argument("--seed", type=int, default=0, help="random seed")
    parser.add_argument("--prefix", default="synth", help="sentence id prefix")
    parser.add_argument("--out", type=Path, required=True, help="output XML path")
    args = parser.parse_args(argv)
    if args.sentences < 0:
        parser.error("--sentences must be >= 0")

    sentences = generate(args.sentences, args.seed, args.prefix)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(to_xml(sentences), encoding="utf-8")
    n_aspects = sum(len(s.aspects) for s in sentences)
    print(
        f"wrote {len(sentences)} sentences / {n_aspects} aspect terms to {args.out}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

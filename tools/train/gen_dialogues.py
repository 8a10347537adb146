#!/usr/bin/env python3
"""Generates the synthetic chat data of the bundled model, in the app's chat format.

The format is the one core/chat/chat_template.h calls falcon_instruct():
  message 0:   "System: {system}"        (left out when there is no system prompt)
  then each:   "\\nUser: {user}"  /  "\\nFalcon: {assistant}"
  generation prompt "\\nFalcon:"; the model's turn ends at eos or at the stop string "\\nUser:".
A training sample is the rendered conversation; the packer appends eos after the last reply.

Skills: greetings and small talk; two- and three-digit addition and subtraction; counting;
spelling words forwards and backwards; days of the week and months; recalling facts
stated in the system prompt after long stretches of other conversation.

The app keeps the system prompt pinned and only the last W=512 tokens of the conversation
(DESIGN.md section 4), so "window" samples are: system prompt + the tail of a long
conversation (starting at a message boundary, or mid-message) + a question about a fact that
only the system prompt states.

Held out (never in training): every arithmetic operand pair whose hash falls in bucket 0
(see heldout_pair), and the names / secret words in HELDOUT_NAMES / HELDOUT_WORDS.

Usage: gen_dialogues.py --docs DOCSDIR --out WORKDIR --fixtures FIXDIR [--seed 1234]
  writes WORKDIR/train.jsonl, WORKDIR/valid.jsonl ({"kind":..., "text":...} per line),
  FIXDIR/arith_heldout.jsonl (200 questions), FIXDIR/recall_heldout.jsonl (long chats),
  FIXDIR/valid_text.jsonl (a small held-out text set for perplexity through our engine).
"""
import argparse
import collections
import hashlib
import json
import os
import random
import re

# ----------------------------------------------------------------------------- the format

SYSTEM_PREFIX = "System: "
USER_PREFIX = "User: "
ASSISTANT_PREFIX = "Falcon: "
SEPARATOR = "\n"
GENERATION_PROMPT = "\nFalcon:"


def render_messages(messages):
    """messages: list of (role, content) with role in system/user/assistant -> text."""
    prefix = {"system": SYSTEM_PREFIX, "user": USER_PREFIX, "assistant": ASSISTANT_PREFIX}
    return "".join((SEPARATOR if i else "") + prefix[r] + c for i, (r, c) in enumerate(messages))


def render_continuation(messages):
    """Text of messages that follow earlier ones (each with its separator)."""
    prefix = {"system": SYSTEM_PREFIX, "user": USER_PREFIX, "assistant": ASSISTANT_PREFIX}
    return "".join(SEPARATOR + prefix[r] + c for r, c in messages)


def conversation(system, turns):
    """[(role, content)] for a system prompt (or None) and (user, assistant) pairs."""
    msgs = [("system", system)] if system else []
    for u, a in turns:
        msgs.append(("user", u))
        if a is not None:
            msgs.append(("assistant", a))
    return msgs


# ----------------------------------------------------------------------------- word lists

NAMES = """Alice Bob Carol David Emma Frank Grace Henry Isabel Jack Julia Kevin Laura Martin Nina Oscar
Paula Quentin Rachel Samuel Tina Victor Wendy Xavier Yvonne Zach Amir Bianca Carlos Dmitri Elena
Farah Giulia Hiroshi Ingrid Jonas Kenji Leila Mateo Noor Olga Pedro Rosa Sven Tomas Ursula Vera
Wei Yusuf Zoe Anna Ben Chloe Daniel Ella Felix Hannah Ivan Jasmine Liam Maya Noah Olivia Priya
Ravi Sara Theo Uma Valentina William Aisha Bruno Clara Diego Eva Fatima Gabriel Helena Igor
Jana Karim Lucia Marco Nadia Omar Petra Rafael Sofia Tariq Ulla Vincent Yara Adam Beatrice
Colin Dora Erik Fiona George Hugo Irene Joel Kira Lars Mira Nils Ada Ruth Simon Tara Leon
Hector Agnes Boris Celia Dario Edith Fabio Gemma Harold Ines Jules Kofi Lina Milan Nora""".split()
HELDOUT_NAMES = """Bartholomew Cordelia Evander Florentine Griselda Ignatius Josephine Leopold
Marisol Octavia Percival Rosalind Sebastian Thaddeus Wilhelmina Zenobia Anselm Benedikta
Cassius Desmond""".split()

WORDS = """apple river candle mountain garden window silver forest rocket pencil orange thunder
marble violin butter castle dragon feather harbor island jungle kettle ladder meadow needle
ocean pepper quartz rabbit saddle tiger umbrella valley walnut yellow zebra anchor basket
cactus donkey engine falcon glacier hammer igloo jacket kitten lemon magnet nutmeg oyster
parrot pillow puzzle raven shadow spider tomato tunnel velvet wizard banjo cobalt dolphin
ember fossil goblin harvest ivory jasmine koala lantern mango nectar orchid pebble quiver
ribbon saffron timber tulip vortex willow breeze copper crystal dune eclipse frost granite
horizon indigo jigsaw kayak lotus maple nebula opal prism quill riddle sapphire tornado
unicorn vapor whistle yacht zephyr acorn biscuit cherry daisy elbow fiddle gravel honey
inkwell juniper kiwi lilac muffin noodle olive peacock quokka radish sparrow teapot
turnip waffle yogurt almond bamboo clover""".split()
HELDOUT_WORDS = """artichoke bellflower cinnamon driftwood evergreen firefly gooseberry hazelnut
iceberg jellyfish kingfisher lighthouse marigold nightingale overcoat pinecone raspberry
snowflake tambourine watermelon""".split()
COLORS = "red blue green yellow purple orange pink black white brown grey turquoise".split()
CITIES = """Paris Berlin Tokyo Lisbon Nairobi Toronto Madrid Oslo Cairo Lima Dublin Vienna Prague
Seoul Sydney Quito Rome Athens Warsaw Helsinki""".split()
PETS = "dog cat parrot rabbit hamster turtle goldfish horse".split()

DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
MONTH_DAYS = [31, None, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
            "tenth", "eleventh", "twelfth"]

GENERIC_SYSTEMS = [
    "You are a helpful assistant.",
    "You are Falcon, a small and friendly assistant that runs on this computer.",
    "You are a helpful, concise assistant. Answer briefly.",
    "You are a friendly chat assistant. Be polite and keep answers short.",
    "Answer the user's questions as well as you can.",
    "You are an assistant that is good at arithmetic and at remembering what it is told.",
]

# ----------------------------------------------------------------------------- helpers


def h(s):
    return int(hashlib.sha256(s.encode()).hexdigest()[:12], 16)


def heldout_pair(a, b, op):
    """2% of all operand pairs are never used for training."""
    return h(f"{a}{op}{b}") % 50 == 0


def rand_operand(rng, digits):
    return rng.randint(10, 99) if digits == 2 else rng.randint(100, 999)


def rand_digits(rng):
    return rng.choice([(2, 2), (3, 3), (2, 3), (3, 2), (3, 3), (2, 2)])


def arith_answer(a, b, op):
    return a + b if op == "+" else a - b


ARITH_Q = [
    "What is {a} {op} {b}?", "What is {a} {op} {b}?", "What is {a} {op} {b}?",
    "What's {a} {opw} {b}?", "Calculate {a} {op} {b}.", "How much is {a} {opw} {b}?",
    "{a} {op} {b} = ?", "Please compute {a} {op} {b}.", "Can you tell me what {a} {opw} {b} is?",
    "what is {a}{op}{b}", "Quick question: what is {a} {op} {b}?", "Solve {a} {op} {b}.",
]


def arith_turn(rng, a=None, b=None, op=None, template=None):
    if a is None:
        while True:
            op = rng.choice("+-")
            da, db = rand_digits(rng)
            a, b = rand_operand(rng, da), rand_operand(rng, db)
            if not heldout_pair(a, b, op):
                break
    opw = "plus" if op == "+" else "minus"
    q = (template or rng.choice(ARITH_Q)).format(a=a, b=b, op=op, opw=opw)
    r = arith_answer(a, b, op)
    ans = f"{a} {op} {b} = {r}."
    if rng.random() < 0.15:
        ans = rng.choice([f"{a} {op} {b} = {r}. Let me know if you need anything else.",
                          f"The answer is {r}, because {a} {op} {b} = {r}.",
                          f"{a} {op} {b} = {r}. Happy to help with more sums."])
    return q, ans


def count_turn(rng):
    kind = rng.random()
    if kind < 0.45:
        start = rng.randint(0, 60)
        n = rng.randint(3, 10)
        seq = list(range(start, start + n))
        q = rng.choice(["Count from {s} to {e}.", "Can you count from {s} to {e}?",
                        "Please count from {s} up to {e}.", "count {s} to {e}"]).format(s=seq[0], e=seq[-1])
        return q, ", ".join(map(str, seq)) + "."
    if kind < 0.65:
        start = rng.randint(5, 60)
        n = rng.randint(3, 10)
        seq = list(range(start, start - n, -1))
        q = rng.choice(["Count down from {s} to {e}.", "Count backwards from {s} to {e}.",
                        "Please count down from {s} to {e}."]).format(s=seq[0], e=seq[-1])
        return q, ", ".join(map(str, seq)) + "."
    if kind < 0.82:
        n = rng.randint(0, 998)
        q = rng.choice(["What number comes after {n}?", "What comes after {n}?",
                        "Which number follows {n}?"]).format(n=n)
        return q, f"{n + 1} comes after {n}."
    n = rng.randint(1, 999)
    q = rng.choice(["What number comes before {n}?", "What comes before {n}?",
                    "Which number is just before {n}?"]).format(n=n)
    return q, f"{n - 1} comes before {n}."


def spell_turn(rng, vocab):
    w = rng.choice(vocab)
    letters = "-".join(w)
    rev = "-".join(reversed(w))
    kind = rng.random()
    if kind < 0.4:
        q = rng.choice(["Spell \"{w}\" backwards.", "Can you spell the word {w} backwards?",
                        "How do you spell {w} backwards?", "Spell the word \"{w}\" in reverse.",
                        "spell {w} backwards"]).format(w=w)
        return q, f"\"{w}\" backwards is {rev}."
    if kind < 0.7:
        q = rng.choice(["How do you spell \"{w}\"?", "Spell the word {w}.", "Spell \"{w}\", please.",
                        "Can you spell {w}?"]).format(w=w)
        return q, f"{w} is spelled {letters}."
    if kind < 0.85:
        q = rng.choice(["How many letters are in the word \"{w}\"?", "How many letters does {w} have?"]).format(w=w)
        return q, f"\"{w}\" has {len(w)} letters: {letters}."
    q = rng.choice(["What is the first letter of \"{w}\"?", "What letter does {w} start with?"]).format(w=w)
    return q, f"\"{w}\" starts with the letter {w[0]}."


def calendar_turn(rng):
    kind = rng.randrange(9)
    if kind == 0:
        d = rng.randrange(7)
        q = rng.choice(["What day comes after {d}?", "What is the day after {d}?",
                        "If today is {d}, what day is tomorrow?", "Which day follows {d}?"]).format(d=DAYS[d])
        return q, f"The day after {DAYS[d]} is {DAYS[(d + 1) % 7]}."
    if kind == 1:
        d = rng.randrange(7)
        q = rng.choice(["What day comes before {d}?", "What is the day before {d}?",
                        "If today is {d}, what day was yesterday?"]).format(d=DAYS[d])
        return q, f"The day before {DAYS[d]} is {DAYS[(d - 1) % 7]}."
    if kind == 2:
        d, n = rng.randrange(7), rng.randint(2, 10)
        q = rng.choice(["If today is {d}, what day will it be in {n} days?",
                        "Today is {d}. What day is it {n} days from now?"]).format(d=DAYS[d], n=n)
        return q, f"{n} days after {DAYS[d]} it will be {DAYS[(d + n) % 7]}."
    if kind == 3:
        m = rng.randrange(12)
        q = rng.choice(["What number is the month of {m}?", "Which month number is {m}?",
                        "What is the number of the month {m}?"]).format(m=MONTHS[m])
        return q, f"{MONTHS[m]} is month number {m + 1}."
    if kind == 4:
        m = rng.randrange(12)
        q = rng.choice(["What is month number {n}?", "Which month is month {n}?",
                        "What is the {o} month of the year?"]).format(n=m + 1, o=ORDINALS[m])
        return q, f"Month number {m + 1} is {MONTHS[m]}."
    if kind == 5:
        m = rng.randrange(12)
        q = rng.choice(["What month comes after {m}?", "Which month follows {m}?",
                        "What is the month after {m}?"]).format(m=MONTHS[m])
        return q, f"The month after {MONTHS[m]} is {MONTHS[(m + 1) % 12]}."
    if kind == 6:
        m = rng.randrange(12)
        q = rng.choice(["What month comes before {m}?", "What is the month before {m}?"]).format(m=MONTHS[m])
        return q, f"The month before {MONTHS[m]} is {MONTHS[(m - 1) % 12]}."
    if kind == 7:
        m = rng.randrange(12)
        q = rng.choice(["How many days are in {m}?", "How many days does {m} have?"]).format(m=MONTHS[m])
        if MONTH_DAYS[m] is None:
            return q, "February has 28 days, or 29 days in a leap year."
        return q, f"{MONTHS[m]} has {MONTH_DAYS[m]} days."
    q = rng.choice(["What are the days of the week?", "List the days of the week.",
                    "Name the months of the year.", "What are the twelve months?",
                    "How many days are in a week?", "How many months are in a year?"])
    if "days of the week" in q:
        return q, "The days of the week are " + ", ".join(DAYS[:-1]) + " and Sunday."
    if "week" in q:
        return q, "A week has 7 days."
    if "How many months" in q:
        return q, "A year has 12 months."
    return q, "The months are " + ", ".join(MONTHS[:-1]) + " and December."


SMALLTALK = [
    (["Hello!", "Hi!", "Hey there!", "Hello", "hi", "Good morning!", "Good evening!", "Hi, how's it going?"],
     ["Hello! How can I help you today?", "Hi there! What can I do for you?",
      "Hello! It's nice to hear from you. What would you like to talk about?"]),
    (["How are you?", "How are you doing today?", "How's your day going?", "Are you doing well?"],
     ["I'm doing well, thank you for asking! How about you?",
      "I'm fine, thanks. How can I help you today?"]),
    (["Who are you?", "What are you?", "What is your name?", "What's your name?"],
     ["I'm Falcon, a small assistant that runs entirely on your computer.",
      "My name is Falcon. I'm a small language model that runs on your own machine."]),
    (["What can you do?", "What are you good at?", "How can you help me?"],
     ["I can chat, add and subtract numbers, count, spell words forwards and backwards, "
      "tell you about days and months, and remember what you tell me in the system prompt.",
      "I'm a small model, but I can do sums, count, spell words, answer questions about the "
      "calendar and keep track of facts you give me."]),
    (["Thank you!", "Thanks!", "Thanks a lot.", "thank you", "Great, thanks!"],
     ["You're welcome!", "You're welcome! Anything else?", "Happy to help!"]),
    (["Goodbye!", "Bye!", "See you later.", "Good night!", "I have to go now."],
     ["Goodbye! Have a nice day.", "Bye! Come back any time.", "See you later! Take care."]),
    (["I'm fine, thanks.", "I'm good.", "Pretty good, thank you.", "Not bad."],
     ["Glad to hear it! What can I do for you?", "That's good to hear. How can I help?"]),
    (["I'm a bit tired today.", "I had a long day.", "I'm feeling sad."],
     ["I'm sorry to hear that. I hope you get some rest soon.",
      "That sounds hard. Take it easy, and let me know if I can help with anything."]),
    (["Do you like music?", "What is your favorite food?", "Do you have hobbies?"],
     ["I'm a language model, so I don't have tastes of my own, but I'm happy to talk about yours!",
      "I don't have personal preferences, but I'd love to hear about yours."]),
    (["Tell me something interesting.", "Tell me a fun fact."],
     ["A week has seven days, and the names of several of them come from old gods and planets.",
      "The word \"level\" is spelled the same forwards and backwards.",
      "Adding the digits of a multiple of nine always gives another multiple of nine."]),
    (["Are you a human?", "Are you real?", "Are you a robot?"],
     ["No, I'm a small language model running on this computer.",
      "I'm not a human. I'm a small AI assistant."]),
    (["Can you help me with math?", "I need help with some sums.", "Can you do arithmetic?"],
     ["Sure! Give me two numbers and tell me whether to add or subtract them.",
      "Of course. What would you like me to calculate?"]),
    (["Nice weather today.", "It's raining here.", "It's very cold today."],
     ["I can't see the weather, but I hope it's a pleasant day for you.",
      "Thanks for telling me! Stay comfortable."]),
    (["Where do you run?", "Do you need the internet?", "Do you send my messages anywhere?"],
     ["I run entirely on your computer. Your messages stay on this machine.",
      "I work offline, on your own computer, so nothing you type leaves it."]),
]

SHARE_TEMPLATES = [
    ("My friend {n} is visiting this weekend.", "That sounds lovely! I hope you and {n} have a great time."),
    ("I talked to {n} yesterday.", "That's nice. I hope the conversation with {n} went well."),
    ("My neighbour {n} has a new {p}.", "How fun! A {p} can be a wonderful companion for {n}."),
    ("I'm reading a book about {c}.", "That sounds interesting! {c} has a long history."),
    ("I bought {k} apples today.", "{k} apples! That's plenty for a few days."),
    ("My train leaves at {t} o'clock.", "Thanks for letting me know. I hope the trip goes well."),
    ("I'm planning a trip to {c}.", "How exciting! I hope you enjoy {c}."),
    ("I painted my door {col}.", "{col} sounds like a cheerful choice!"),
]


def smalltalk_turn(rng):
    if rng.random() < 0.3:
        u, a = rng.choice(SHARE_TEMPLATES)
        f = dict(n=rng.choice(NAMES), p=rng.choice(PETS), c=rng.choice(CITIES), k=rng.randint(2, 30),
                 t=rng.randint(1, 12), col=rng.choice(COLORS).capitalize())
        return u.format(**f), a.format(**f)
    qs, ans = rng.choice(SMALLTALK)
    return rng.choice(qs), rng.choice(ans)


def filler_turn(rng, vocab):
    """One turn of ordinary conversation that states no system-prompt fact."""
    r = rng.random()
    if r < 0.34:
        return arith_turn(rng)
    if r < 0.50:
        return smalltalk_turn(rng)
    if r < 0.64:
        return count_turn(rng)
    if r < 0.80:
        return spell_turn(rng, vocab)
    return calendar_turn(rng)


# ----------------------------------------------------------------------------- facts

FACT_TYPES = ["name", "number", "word", "color", "city", "pet"]


def pick(rng, source):
    """A value from a list, or from a sampler function (the open fact sets)."""
    return source(rng) if callable(source) else rng.choice(source)


SYLLABLES = """ba be bi bo bu da de di do ka ke ki ko ku la le li lo lu ma me mi mo mu na ne ni no
ra re ri ro ru sa se si so ta te ti to va ve vi vo za zo zu bran dor fel gar hal jin kor lan mar
nor pel quin ros sil tor val wen xan yor zen ash el in or um an""".split()


def pseudo_word(rng):
    """A made-up word of 2-4 syllables ("korapel"): many tokens, never seen as a unit."""
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))


def open_sources(vocab):
    """Fact values from open sets (real names and words, words from the manuals, made-up
    words), so that recalling them can only be done by copying from the system prompt.
    The held-out names and words of the recall fixtures are never produced."""
    held = {w.lower() for w in HELDOUT_NAMES + HELDOUT_WORDS}
    doc_words = [w for w in vocab if len(w) >= 4 and w not in held]

    def name(rng):
        while True:
            r = rng.random()
            v = (rng.choice(NAMES) if r < 0.3 else pseudo_word(rng).capitalize() if r < 0.75
                 else rng.choice(doc_words).capitalize())
            if v.lower() not in held:
                return v

    def word(rng):
        while True:
            r = rng.random()
            v = rng.choice(WORDS) if r < 0.25 else pseudo_word(rng) if r < 0.6 else rng.choice(doc_words)
            if v.lower() not in held:
                return v

    return name, word


NAME_ENDINGS = "a ia ina ella ine us ius ian ard old elm ette o on is ence ander".split()


def hard_sources(vocab):
    """Stage 4: fact values that are hard to copy whole. The stage-3 model copied the first
    piece of a long word and stopped ("ever" for evergreen, "ice" for iceberg) or copied a
    name's start and made up its end ("Octavere" for Octavia). So: compounds of two real words,
    long made-up words, and made-up names with name-like endings, whose first pieces are
    words or names on their own. The held-out names and words are never produced."""
    held = {w.lower() for w in HELDOUT_NAMES + HELDOUT_WORDS}
    short = sorted({w for w in vocab if 3 <= len(w) <= 6} | {w for w in WORDS if len(w) <= 6})

    def compound(rng):
        return rng.choice(short) + rng.choice(short)

    def long_pseudo(rng):
        return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(3, 5)))

    def name(rng):
        while True:
            r = rng.random()
            if r < 0.45:
                stem = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 3)))
                v = (stem + rng.choice(NAME_ENDINGS)).capitalize()
            elif r < 0.7:
                v = (rng.choice(NAMES) + rng.choice(NAME_ENDINGS + SYLLABLES)).capitalize()
            elif r < 0.85:
                v = compound(rng).capitalize()
            else:
                v = rng.choice(NAMES)
            if v.lower() not in held:
                return v

    def word(rng):
        while True:
            r = rng.random()
            v = compound(rng) if r < 0.5 else long_pseudo(rng) if r < 0.8 else rng.choice(WORDS)
            if v.lower() not in held:
                return v

    return name, word


def mixed_sources(vocab):
    """From-scratch training: each fact value from the fixed lists, the open sets or the hard
    shapes (stages 1, 2-3 and 4 of the first model, drawn side by side from the first step)."""
    sources = [(NAMES, WORDS), open_sources(vocab), hard_sources(vocab)]
    weights = [0.15, 0.40, 0.45]

    def chooser(i):
        def value(rng):
            return pick(rng, rng.choices(sources, weights)[0][i])
        return value

    return chooser(0), chooser(1)


def make_facts(rng, names, words, k=None):
    k = k or rng.choice([1, 1, 2, 2, 3, 4])
    kinds = rng.sample(FACT_TYPES, k)
    if "name" not in kinds and "word" not in kinds and "number" not in kinds:
        kinds[0] = rng.choice(["name", "number", "word"])
    facts = {}
    for kd in kinds:
        facts[kd] = {"name": lambda: pick(rng, names),
                     "number": lambda: str(rng.choice([rng.randint(1, 99), rng.randint(100, 999), rng.randint(1000, 9999)])),
                     "word": lambda: pick(rng, words),
                     "color": lambda: rng.choice(COLORS),
                     "city": lambda: rng.choice(CITIES),
                     "pet": lambda: pick(rng, names) if callable(names) else rng.choice(NAMES)}[kd]()
    return facts


FACT_SENTENCES = {
    "name": ["The user's name is {v}.", "The user is called {v}.", "You are talking to {v}.", "My name is {v}."],
    "number": ["The user's favorite number is {v}.", "The secret number is {v}.", "Remember the number {v}.",
               "My lucky number is {v}."],
    "word": ["The secret word is {v}.", "The password is \"{v}\".", "Remember the secret word: {v}.",
             "The code word is {v}."],
    "color": ["The user's favorite color is {v}.", "My favourite colour is {v}."],
    "city": ["The user lives in {v}.", "I live in {v}."],
    "pet": ["The user's pet is named {v}.", "My dog is called {v}."],
}

FACT_QUESTIONS = {
    "name": (["What is my name?", "Do you remember my name?", "What's my name?", "Who am I?",
              "Can you tell me my name?", "what is my name"], "Your name is {v}."),
    "number": (["What is my favorite number?", "What is the secret number?", "What number did I give you?",
                "Do you remember the number?", "What is my lucky number?"], "The number is {v}."),
    "word": (["What is the secret word?", "What's the password?", "Do you remember the secret word?",
              "Tell me the code word.", "what is the secret word"], "The secret word is {v}."),
    "color": (["What is my favorite color?", "Which colour do I like best?"], "Your favorite color is {v}."),
    "city": (["Where do I live?", "Which city do I live in?"], "You live in {v}."),
    "pet": (["What is my pet's name?", "What is my dog called?"], "Your pet is called {v}."),
}


def fact_system(rng, facts):
    parts = []
    if rng.random() < 0.6:
        parts.append(rng.choice(GENERIC_SYSTEMS))
    if rng.random() < 0.3:
        parts.append(rng.choice(["Remember these facts.", "Keep the following in mind.", "Facts to remember:"]))
    fs = [rng.choice(FACT_SENTENCES[k]).format(v=v) for k, v in facts.items()]
    rng.shuffle(fs)
    parts += fs
    if rng.random() < 0.2:
        parts.append(rng.choice(["Be brief.", "Answer politely.", "Keep answers short."]))
    return " ".join(parts)


def fact_turn(rng, facts, k=None):
    """A question about fact k (default: one at random) and its answer."""
    k = k or rng.choice(list(facts))
    qs, a = FACT_QUESTIONS[k]
    return rng.choice(qs), a.format(v=facts[k]), facts[k]


def unknown_fact_turn(rng):
    k = rng.choice(["name", "number", "word"])
    q = rng.choice(FACT_QUESTIONS[k][0])
    a = {"name": "I don't know your name. You haven't told me yet.",
         "number": "You haven't told me a number yet.",
         "word": "I don't know of any secret word. You haven't told me one."}[k]
    return q, a


# ----------------------------------------------------------------------------- samples


def generic_system(rng):
    r = rng.random()
    if r < 0.45:
        return None  # the app's default: no system prompt
    return rng.choice(GENERIC_SYSTEMS)


def sample_single(rng, vocab):
    sys = generic_system(rng)
    r = rng.random()
    if r < 0.55:
        t = arith_turn(rng)
    elif r < 0.95:
        t = filler_turn(rng, vocab)
    else:
        t = unknown_fact_turn(rng)
    return render_messages(conversation(sys, [t]))


def sample_multi(rng, vocab, names, words):
    """2-10 turns; with facts in the system prompt half of the time, asked at random points."""
    n = rng.randint(2, 10)
    facts = make_facts(rng, names, words) if rng.random() < 0.5 else None
    sys = fact_system(rng, facts) if facts else generic_system(rng)
    turns = []
    told_name = None
    for i in range(n):
        r = rng.random()
        if facts and r < 0.25:
            q, a, _ = fact_turn(rng, facts)
            turns.append((q, a))
        elif not facts and r < 0.08 and told_name is None:
            told_name = pick(rng, names)
            turns.append((f"My name is {told_name}.", f"Nice to meet you, {told_name}!"))
        elif told_name and r < 0.15:
            turns.append((rng.choice(FACT_QUESTIONS["name"][0]), f"Your name is {told_name}."))
        else:
            turns.append(filler_turn(rng, vocab))
    return render_messages(conversation(sys, turns))


def long_filler(rng, vocab, min_chars):
    """Turns of ordinary conversation totalling at least min_chars characters."""
    turns, total = [], 0
    while total < min_chars:
        t = filler_turn(rng, vocab)
        turns.append(t)
        total += len(t[0]) + len(t[1]) + 17
    return turns


def sample_window(rng, vocab, names, words, multi_ask=0.0):
    """System prompt + the last part of a long chat (as the KV window keeps it) + a fact question.
    With probability multi_ask the system prompt states 2-4 facts and 2-3 of them are asked in
    turn at the end: every answer is then a copy from the far system prompt (each fact is asked
    once, so no answer can be copied from a nearer one)."""
    ask_several = rng.random() < multi_ask
    facts = make_facts(rng, names, words, k=rng.choice([2, 3, 3, 4]) if ask_several else None)
    sys = fact_system(rng, facts)
    # Chat text is ~2.6 characters per token (digits are single tokens): 1400 characters is
    # about the 512-token window; a tenth of the samples are longer, for larger windows.
    r = rng.random()
    keep_chars = (rng.randint(0, 500) if r < 0.25 else rng.randint(200, 1400) if r < 0.6
                  else rng.randint(1000, 1400) if r < 0.9 else rng.randint(1400, 2400))
    turns = long_filler(rng, vocab, keep_chars + 400)
    body = render_continuation(conversation(None, turns))  # "\nUser: ...\nFalcon: ..."
    cut = len(body) - keep_chars
    mode = rng.random()
    if cut <= 0:
        tail = body
    elif mode < 0.75:  # whole messages: start at the first message boundary after the cut
        j = body.find("\n", cut)
        tail = body[j:] if j >= 0 else ""
    else:  # mid-message, as a window that evicts token by token would leave it
        tail = body[cut:]
    if ask_several:
        asked = rng.sample(list(facts), min(len(facts), rng.choice([2, 2, 3])))
        qa = [fact_turn(rng, facts, k)[:2] for k in asked]
    else:
        q, a, _ = fact_turn(rng, facts)
        qa = [(q, a)]
    extra = []
    if rng.random() < 0.2:  # sometimes the chat goes on after the answer
        extra = [filler_turn(rng, vocab) for _ in range(rng.randint(1, 2))]
    return SYSTEM_PREFIX + sys + tail + render_continuation(conversation(None, qa + extra))


def doc_chunks(text, max_chars=2600):
    """Splits a document into chunks of whole paragraphs of at most ~max_chars."""
    paras = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
    out, cur = [], ""
    for p in paras:
        if len(p) > max_chars:
            p = p[:max_chars]
        if cur and len(cur) + len(p) + 2 > max_chars:
            out.append(cur)
            cur = ""
        cur = cur + "\n\n" + p if cur else p
    if cur:
        out.append(cur)
    return [c for c in out if len(c) > 100]


def spell_vocab(docs_texts):
    cnt = collections.Counter()
    for t in docs_texts:
        cnt.update(re.findall(r"\b[a-z]{3,10}\b", t))
    return sorted(w for w, _ in cnt.most_common(2500))


# ----------------------------------------------------------------------------- held-out sets


def heldout_arith(n=200, seed=7):
    rng = random.Random(seed)
    out, seen = [], set()
    kinds = [(2, 2), (3, 3), (2, 3), (3, 2)]
    while len(out) < n:
        op = "+" if len(out) % 2 == 0 else "-"
        da, db = kinds[(len(out) // 2) % 4]
        a, b = rand_operand(rng, da), rand_operand(rng, db)
        if not heldout_pair(a, b, op) or (a, b, op) in seen:
            continue
        seen.add((a, b, op))
        out.append({"question": f"What is {a} {op} {b}?", "a": a, "b": b, "op": op,
                    "answer": arith_answer(a, b, op)})
    return out


def heldout_recall(vocab, n=40, seed=11, min_chars=16000):
    """Long chats (>= ~4000 tokens) with facts from held-out names/words; the question is last."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        facts = make_facts(rng, HELDOUT_NAMES, HELDOUT_WORDS, k=rng.choice([1, 2, 3]))
        sys = fact_system(rng, facts)
        turns = long_filler(rng, vocab, min_chars)
        k = ["name", "word", "number"][i % 3]
        if k not in facts:
            k = rng.choice(list(facts))
        q = FACT_QUESTIONS[k][0][0]
        out.append({"system": sys, "turns": [list(t) for t in turns], "question": q,
                    "fact": k, "expected": facts[k]})
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--fixtures", required=True)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--single", type=int, default=500000)
    ap.add_argument("--multi", type=int, default=160000)
    ap.add_argument("--window", type=int, default=100000)
    ap.add_argument("--open-facts", action="store_true",
                    help="fact values from open sets (stage 2); default: the fixed lists (stage 1)")
    ap.add_argument("--hard-facts", action="store_true",
                    help="fact values that are hard to copy whole: compounds, long made-up words (stage 4)")
    ap.add_argument("--mixed-facts", action="store_true",
                    help="fact values from the fixed lists, the open sets and the hard shapes side by side")
    ap.add_argument("--multi-ask", type=float, default=0.0,
                    help="share of window samples that ask 2-3 system-prompt facts in turn at the end")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    os.makedirs(args.out, exist_ok=True)
    os.makedirs(args.fixtures, exist_ok=True)

    docs = []
    for fn in sorted(os.listdir(args.docs)):
        if fn.endswith(".txt"):
            with open(os.path.join(args.docs, fn), encoding="utf-8") as f:
                docs += [(fn[:-4], d) for d in f.read().split("\n\f\n") if d.strip()]
    vocab = spell_vocab([d for _, d in docs])

    samples = []
    for src, d in docs:
        samples += [("doc:" + src, c) for c in doc_chunks(d)]
    samples += [("single", sample_single(rng, vocab)) for _ in range(args.single)]
    names, words = (mixed_sources(vocab) if args.mixed_facts else hard_sources(vocab) if args.hard_facts
                    else open_sources(vocab) if args.open_facts else (NAMES, WORDS))
    samples += [("multi", sample_multi(rng, vocab, names, words)) for _ in range(args.multi)]
    samples += [("window", sample_window(rng, vocab, names, words, args.multi_ask)) for _ in range(args.window)]

    # 1% of the dialogue samples and 3% of the documentation chunks (by hash of the text) are
    # the validation split for perplexity.
    with open(os.path.join(args.out, "train.jsonl"), "w") as tr, \
         open(os.path.join(args.out, "valid.jsonl"), "w") as va:
        for kind, text in samples:
            f = va if h(text) % 100 < (3 if kind.startswith("doc:") else 1) else tr
            f.write(json.dumps({"kind": kind, "text": text}) + "\n")

    with open(os.path.join(args.fixtures, "arith_heldout.jsonl"), "w") as f:
        for q in heldout_arith():
            f.write(json.dumps(q) + "\n")
    with open(os.path.join(args.fixtures, "recall_heldout.jsonl"), "w") as f:
        for c in heldout_recall(vocab):
            f.write(json.dumps(c) + "\n")
    kinds = collections.Counter(k.split(":")[0] for k, _ in samples)
    chars = collections.Counter()
    for k, t in samples:
        chars[k.split(":")[0]] += len(t)
    for k in kinds:
        print(f"{k:8s} {kinds[k]:8d} samples {chars[k] / 1e6:8.1f} M chars")


if __name__ == "__main__":
    main()

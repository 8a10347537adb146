#!/usr/bin/env python3
"""Reference fixtures for falcon-chat's tokenizers, chat template and tokenizer benchmark.

Runs on the GPU machine (HF `tokenizers`, `sentencepiece`, `transformers` installed there):

    python3 tools/make_tokenizer_fixtures.py --out OUTDIR [--bench-bin PATH/bench_tokenizer]

Writes OUTDIR/fixtures/ (copied into tests/fixtures/tokenizers/ by hand):
  <name>/tokenizer.json (+ tokenizer_config.json, special_tokens_map.json, generation_config.json)
  spm_bpe_bf/tokenizer.model, spm_unigram/tokenizer.model
  cases.json       every test string and, per tokenizer, HF's / sentencepiece's ids and decodings
  chat_template.json  conversations rendered by transformers' apply_chat_template
and OUTDIR/bench.json: HF tokenizers vs our bench_tokenizer on the same ~10 MB text, one thread
(HF is timed in a child process with RAYON_NUM_THREADS=1 TOKENIZERS_PARALLELISM=false).
Everything is deterministic (fixed seeds, generated corpora). Each tokenizer is trained here
with tokenizers' BpeTrainer on a small generated corpus, then RELOADED FROM ITS FILE so that the
recorded encodings are what that file means to the reference library.
"""
import argparse
import json
import os
import random
import subprocess
import sys
import time
import traceback

try:
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers
    from tokenizers import pre_tokenizers, processors, trainers
except ImportError:  # only --chat-only --renderer jinja2 works without HF tokenizers
    AddedToken = Regex = Tokenizer = decoders = models = normalizers = pre_tokenizers = processors = trainers = None

LOG = []


def log(*a):
    line = " ".join(str(x) for x in a)
    LOG.append(line)
    print(line, flush=True)


# --------------------------------------------------------------------------------------------
# Test strings (>= 300), deterministic
# --------------------------------------------------------------------------------------------
PROSE = [
    "The quick brown fox jumps over the lazy dog.",
    "Hello world",
    "hello, world!! ...ok",
    "Don't stop at 3.14159265! It's what we'd've done, isn't it? They'll see; you're right.",
    "Falcon is a family of large language models built by the Technology Innovation Institute.",
    "  leading and  multiple   spaces",
    "trailing spaces   ",
    "Mr. O'Neil's dog-friendly café — “quoted” ‘text’ … and so on.",
    "E-mail me at someone@example.com or visit https://example.org/path?q=1&x=y#frag.",
    "(555) 123-4567 ext. 89; price: 12,345.67 USD; 50% off; #1 best-seller.",
    "ALL CAPS SENTENCE WITH ACRONYMS LIKE NASA, GPU, CUDA AND HTTP/2.",
    "A sentence with a semicolon; a colon: and an ellipsis...",
    "The year 2023 had 365 days, 8760 hours and 525600 minutes.",
    "Once upon a time, in a land far, far away, there lived a curious little robot.",
    "Çà et là, naïve façade, Œuvre, Straße, Ærø, İstanbul, ΣΊΣΥΦΟΣ.",
]
CODE = [
    "def f(x):\n    return x * 2\n",
    "int main(void) {\n\tprintf(\"%d\\n\", 42);\n\treturn 0;\n}\n",
    "for (size_t i = 0; i < n; ++i) {\n        sum += a[i] * b[i];\n    }",
    "class Foo:\n    def __init__(self):\n        self.x = [1, 2, 3]\n\n    def bar(self) -> int:\n        return sum(self.x)\n",
    "if (a && b || !c) { x <<= 2; y >>= 3; } // comment\n/* block */",
    "SELECT name, COUNT(*) FROM users WHERE age >= 18 GROUP BY name;",
    "const f = async (x) => { await g(x); return x ?? null; };",
    "    indented four\n        indented eight\n\t\ttwo tabs\n",
    "x=1;y=2;z=x+y*3-4/5%6^7|8&9~0",
    "{\"key\": [1, 2.5, -3e10, true, null], \"nested\": {\"a\": \"b\"}}",
    "fn main() { let v: Vec<u8> = vec![0xFF, 0x00]; println!(\"{:?}\", v); }",
    "#include <vector>\n#include \"core/model/backend.h\"\n",
    "@decorator\ndef g(*args, **kwargs):\n    pass\n",
    "$ echo $HOME && ls -la | grep '^d' > out.txt 2>&1",
]
MULTI = [
    "مرحبا بالعالم، كيف حالك اليوم؟",
    "اللغة العربية جميلة جدا ١٢٣ ٤٥٦",
    "你好，世界！今天天气很好。",
    "我爱自然语言处理和机器学习。",
    "こんにちは世界。カタカナとひらがなと漢字。",
    "東京は日本の首都です。ｶﾀｶﾅ　全角スペース。",
    "नमस्ते दुनिया, आप कैसे हैं?",
    "हिन्दी में संख्याएँ १२३४ और शब्द।",
    "Привет, мир! Как дела? мир и м",
    "Γειά σου Κόσμε! Ωραία μέρα.",
    "שלום עולם",
    "안녕하세요 세계",
    "Xin chào thế giới, tiếng Việt có dấu.",
    "ภาษาไทยไม่มีช่องว่างระหว่างคำ",
    "Ελληνικά και English mixed 混合 text مختلط.",
]
EMOJI = [
    "I love it 😀😃😄😁",
    "👍🏽 thumbs up with medium skin tone",
    "👨‍👩‍👧‍👦 family ZWJ sequence",
    "👩🏾‍💻 woman technologist, 🏳️‍🌈 rainbow flag, 🇦🇪 flag",
    "❤️ red heart with VS16, ✌🏻 victory",
    "🧑‍🤝‍🧑🫶🏿🤌",
    "emoji at end 🎉",
    "🎉",
    "a😀b😀c",
    "keycap 1️⃣ #️⃣ *️⃣",
]
SPACES = [
    " ", "  ", "   ", "\t", "\n", "\n\n", "\r\n", " \n ", "\t\t\t", "a\tb\tc", "a \t b \n c",
    "line1\nline2\nline3", "para1\n\n\npara2", "trailing newline\n", "\u00a0non-breaking\u00a0space",
    "\u3000ideographic\u3000space", "mixed \u2003em\u2002en\u2009thin spaces", "\u0085next line",
    "word\u200bzero\u200bwidth", "    ", "x" + " " * 17 + "y", "\n \n \n", "end with spaces and tab \t",
]
ODD = [
    "",
    "\ufffd",
    "replacement \ufffd char",
    "\u0301 lone combining acute",
    "e\u0301 decomposed vs \u00e9 composed",
    "\u0300\u0301\u0302\u0303",
    "ﬁﬂ ligatures ﬀ",
    "Ⅻ roman, ① circled, ½ ¼ ¾ fractions, x² y³ superscripts",
    "ｆｕｌｌｗｉｄｔｈ ＡＢＣ １２３",
    "\u200d\u200c joiners",
    "\ud7ff\ue000\uf8ff private use",
    "\U0001d400\U0001d401 math bold",
    "\U0010fffd plane 16",
    "control\x01\x02\x1f chars",
    "\x00 nul inside",
    "tab\x0bvt\x0cff",
    "‮RTL override‬",
    "a" * 300,
    "abcdefghij" * 40,
    "supercalifragilisticexpialidocious" * 5,
    "Pneumonoultramicroscopicsilicovolcanoconiosis",
    "x" * 1000,
    "🙂" * 50,
    "'s 't 're 've 'm 'll 'd",
    "''''\"\"\"",
    "...!!!???",
    "----====____",
    "İ ı ß ẞ ǅ",
]
SPECIAL_TEXTS = [
    ">>TITLE<<Hello>>ABSTRACT<<",
    "before<|endoftext|>after",
    "<|endoftext|>",
    "<|endoftext|><|endoftext|>",
    "text >>QUESTION<< what? >>ANSWER<< this.",
    ">>INTRODUCTION<<\n>>SUMMARY<< >>COMMENT<< >>DOMAIN<< >>PREFIX<<x>>SUFFIX<<y>>MIDDLE<<",
    "<|endoftext",
    ">>TITLE<",
    "<s>hello</s>",
    "<s> spaced </s>",
    "<unk> unknown",
    "hello   [MASK]   world",
    "[MASK][MASK]",
    " [MASK]",
    "<|tool|>   call",
    "a<sw>b",
    "a <sw> b",
    "<sw>",
    "<sw>x",
    "x_<sw>",
    "é<sw>",
    "fix the ﬁx",
    "<norm> and <NORM>",
    "<|user|>hi",
    "  <|user|>  hi",
]


def make_test_strings():
    rng = random.Random(20240601)
    out = []
    out += PROSE + CODE + MULTI + EMOJI + SPACES + ODD + SPECIAL_TEXTS
    # numbers of every length, alone and in text
    for n in range(1, 21):
        digits = "".join(str((i * 7 + n) % 10) for i in range(n))
        out.append(digits)
        out.append(f"value {digits} units")
    out += ["0", "00", "000", "0000", "1,000,000", "3.14", "-42", "+7", "1e-9", "12½3456", "½6789", "x²y",
            "٣٤٥", "१२३", "๑๒๓", "１２３４５"]
    # random mixes of everything above, and random character soup
    pools = PROSE + CODE + MULTI + EMOJI + SPACES + SPECIAL_TEXTS
    for _ in range(120):
        k = rng.randint(2, 4)
        out.append("".join(rng.choice(pools) for _ in range(k)))
    alphabet = ("abcXYZ019 \t\n.,;:'\"!?-_()[]{}<>/\\|@#$%^&*+=~`éüßçñ你好世界日本語한국어مرحباनमस्ते😀👍🏽"
                "\u0301\u200d\ufffd\u00a0\u3000½²")
    for _ in range(60):
        out.append("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40))))
    return out


# --------------------------------------------------------------------------------------------
# Training corpus (small, generated)
# --------------------------------------------------------------------------------------------
WORDS = ("the of and to in is was for on that with as by at from his her are be this have not but they "
         "which one all were when we there can an your more if has will about time their would what so "
         "up out them other into than then some could these two may first been who its now people my "
         "made over did down only way find use long day get come make part number sound most very after "
         "falcon model language token window cache system user assistant answer question write code "
         "learning training data inference memory speed quality").split()


def training_lines(rng, n_lines):
    lines = []
    extra = MULTI + CODE + EMOJI + PROSE
    for i in range(n_lines):
        r = rng.random()
        if r < 0.6:
            words = [rng.choice(WORDS) for _ in range(rng.randint(4, 18))]
            if rng.random() < 0.3:
                words.insert(rng.randint(0, len(words)), str(rng.randint(0, 10 ** rng.randint(1, 7))))
            s = " ".join(words)
            s = s[0].upper() + s[1:] + rng.choice([".", "!", "?", ",", ";", ":", "..."])
            lines.append(s)
        else:
            lines.append(rng.choice(extra))
    return lines


# --------------------------------------------------------------------------------------------
# Tokenizers
# --------------------------------------------------------------------------------------------
FALCON_SPECIALS = [">>TITLE<<", ">>ABSTRACT<<", ">>INTRODUCTION<<", ">>SUMMARY<<", ">>COMMENT<<", ">>ANSWER<<",
                   ">>QUESTION<<", ">>DOMAIN<<", ">>PREFIX<<", ">>SUFFIX<<", ">>MIDDLE<<", "<|endoftext|>"]


def falcon_chain():
    # tiiuae/falcon-7b tokenizer.json: pre_tokenizer, verbatim structure
    return pre_tokenizers.Sequence([
        pre_tokenizers.Punctuation(behavior="contiguous"),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True),
        pre_tokenizers.Digits(individual_digits=False),
        pre_tokenizers.Split(pattern=Regex("[0-9][0-9][0-9]"), behavior="isolated", invert=False),
    ])


def train_falcon(lines, vocab_size):
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = falcon_chain()
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.ByteLevel(trim_offsets=True)
    tr = trainers.BpeTrainer(vocab_size=vocab_size, min_frequency=2, show_progress=False,
                             special_tokens=FALCON_SPECIALS, initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(lines, trainer=tr)
    return tok


def add_byte_tokens(tok_json_str, n_specials):
    """Puts <0x00>..<0xFF> into the model vocab right after the first n_specials ids (as llama's
    tokenizer.json has them: vocab entries, not added tokens), shifting the learned tokens."""
    j = json.loads(tok_json_str)
    vocab = j["model"]["vocab"]
    new = {}
    for t, i in vocab.items():
        new[t] = i if i < n_specials else i + 256
    for b in range(256):
        new["<0x%02X>" % b] = n_specials + b
    j["model"]["vocab"] = new
    for a in j["added_tokens"]:
        if a["id"] >= n_specials:
            a["id"] += 256
    return json.dumps(j, ensure_ascii=False)


def train_metaspace_bf(lines):
    tok = Tokenizer(models.BPE(unk_token="<unk>", byte_fallback=True, fuse_unk=True))
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="first", split=True)
    tok.decoder = decoders.Sequence([decoders.ByteFallback(), decoders.Metaspace(replacement="▁", prepend_scheme="first")])
    tr = trainers.BpeTrainer(vocab_size=1200, min_frequency=2, show_progress=False, limit_alphabet=120,
                             special_tokens=["<unk>", "<s>", "</s>"])
    tok.train_from_iterator(lines, trainer=tr)
    tok = Tokenizer.from_str(add_byte_tokens(tok.to_str(), 3))
    tok.add_tokens([AddedToken("<|user|>", single_word=False, lstrip=True, rstrip=False, normalized=False, special=False)])
    return tok


def train_llama_legacy(lines):
    tok = Tokenizer(models.BPE(unk_token="<unk>", byte_fallback=True, fuse_unk=True))
    tok.normalizer = normalizers.Sequence([normalizers.Prepend("▁"), normalizers.Replace(" ", "▁")])
    tok.decoder = decoders.Sequence([decoders.Replace("▁", " "), decoders.ByteFallback(), decoders.Fuse(),
                                     decoders.Strip(" ", 1, 0)])
    tr = trainers.BpeTrainer(vocab_size=1000, min_frequency=2, show_progress=False, limit_alphabet=100,
                             special_tokens=["<unk>", "<s>", "</s>"])
    tok.train_from_iterator(lines, trainer=tr)
    return Tokenizer.from_str(add_byte_tokens(tok.to_str(), 3))


LLAMA3_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
                  r"|\s*[\r\n]+|\s+(?!\S)|\s+")


def train_nfkc_split(lines):
    tok = Tokenizer(models.BPE(ignore_merges=True))
    tok.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Replace(Regex(r"\r\n"), "\n"),
                                           normalizers.Replace("``", '"')])
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(pattern=Regex(LLAMA3_PATTERN), behavior="isolated", invert=False),
        pre_tokenizers.Split(pattern="-", behavior="merged_with_previous"),
        pre_tokenizers.Split(pattern=Regex(r"[.,;:]"), behavior="merged_with_next"),
        pre_tokenizers.Split(pattern=Regex(r"[aeiou]{2}"), behavior="contiguous", invert=True),
        pre_tokenizers.Split(pattern=Regex(r"\s"), behavior="removed", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=True, use_regex=False),
    ])
    tok.decoder = decoders.ByteLevel()
    tr = trainers.BpeTrainer(vocab_size=1500, min_frequency=2, show_progress=False,
                             special_tokens=["[MASK]", "<|tool|>"], initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(lines, trainer=tr)
    # Re-declare the specials with their strip flags (the trainer adds plain ones).
    j = json.loads(tok.to_str())
    for a in j["added_tokens"]:
        if a["content"] == "[MASK]":
            a["lstrip"] = True
            a["rstrip"] = True
        if a["content"] == "<|tool|>":
            a["rstrip"] = True
    tok = Tokenizer.from_str(json.dumps(j, ensure_ascii=False))
    tok.add_tokens([AddedToken("<sw>", single_word=True, lstrip=False, rstrip=False, normalized=False, special=False),
                    AddedToken("ﬁx", single_word=False, lstrip=False, rstrip=False, normalized=True, special=False),
                    AddedToken("<norm>", single_word=False, lstrip=False, rstrip=False, normalized=True, special=False)])
    return tok


def train_wordy(lines):
    # NFD + StripAccents + Lowercase + Strip; WhitespaceSplit + Punctuation + Digits; "##" and "</w>".
    tok = Tokenizer(models.BPE(unk_token="[UNK]", continuing_subword_prefix="##", end_of_word_suffix="</w>"))
    tok.normalizer = normalizers.Sequence([normalizers.NFD(), normalizers.StripAccents(), normalizers.Lowercase(),
                                           normalizers.Strip(left=True, right=True)])
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.WhitespaceSplit(),
        pre_tokenizers.Punctuation(behavior="merged_with_next"),
        pre_tokenizers.Digits(individual_digits=True),
        pre_tokenizers.Split(pattern="'", behavior="removed"),
    ])
    tok.decoder = decoders.Sequence([decoders.Replace("</w>", " "), decoders.Replace("##", ""), decoders.Fuse(),
                                     decoders.Strip(" ", 0, 1)])
    tr = trainers.BpeTrainer(vocab_size=1200, min_frequency=2, show_progress=False, limit_alphabet=200,
                             special_tokens=["[UNK]", "[PAD]"], continuing_subword_prefix="##",
                             end_of_word_suffix="</w>")
    tok.train_from_iterator(lines, trainer=tr)
    return tok


def train_whitespace(lines):
    # Whitespace pre-tokenizer, Punctuation(merged_with_previous), NFKD + Lowercase, legacy "a b" merges.
    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.normalizer = normalizers.Sequence([normalizers.NFKD(), normalizers.Lowercase()])
    tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Whitespace(),
                                                 pre_tokenizers.Punctuation(behavior="merged_with_previous")])
    tr = trainers.BpeTrainer(vocab_size=900, min_frequency=2, show_progress=False, limit_alphabet=150,
                             special_tokens=["<unk>"])
    tok.train_from_iterator(lines, trainer=tr)
    j = json.loads(tok.to_str())
    merges = j["model"]["merges"]
    if merges and isinstance(merges[0], list):
        if all(" " not in a and " " not in b for a, b in merges):
            j["model"]["merges"] = [a + " " + b for a, b in merges]
    return Tokenizer.from_str(json.dumps(j, ensure_ascii=False))


def write_json(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False)


def save_bpe(tok, d, config, special_map, generation):
    os.makedirs(d, exist_ok=True)
    tok.save(os.path.join(d, "tokenizer.json"))
    if config is not None:
        write_json(os.path.join(d, "tokenizer_config.json"), config)
    if special_map is not None:
        write_json(os.path.join(d, "special_tokens_map.json"), special_map)
    if generation is not None:
        write_json(os.path.join(d, "generation_config.json"), generation)


def hf_specials(d):
    """bos/eos/pad as transformers reads the folder, and generation_config's ids."""
    out = {}
    try:
        from transformers import AutoTokenizer
        t = AutoTokenizer.from_pretrained(d)
        out["tokenizer"] = {"bos": t.bos_token_id, "eos": t.eos_token_id, "pad": t.pad_token_id}
    except Exception as e:  # noqa: BLE001
        out["tokenizer_error"] = repr(e)
    g = os.path.join(d, "generation_config.json")
    if os.path.exists(g):
        out["generation_config"] = json.load(open(g))
    return out


def safe_decode(tok, ids, skip):
    # HF's Strip decoder panics (Rust index underflow) on some inputs; record null there.
    try:
        return tok.decode(ids, skip_special_tokens=skip)
    except BaseException:  # noqa: BLE001  (pyo3 PanicException is not an Exception)
        return None


def record_bpe(path, strings, rng):
    tok = Tokenizer.from_file(path)
    ids, ids_ns, dec, dec_skip = [], [], [], []
    for s in strings:
        tok.encode_special_tokens = False
        e = tok.encode(s, add_special_tokens=False).ids
        tok.encode_special_tokens = True
        e2 = tok.encode(s, add_special_tokens=False).ids
        tok.encode_special_tokens = False
        ids.append(e)
        ids_ns.append(e2)
        dec.append(safe_decode(tok, e, False))
        dec_skip.append(safe_decode(tok, e, True))
    n = tok.get_vocab_size(with_added_tokens=True)
    rand = []
    for _ in range(40):  # arbitrary id sequences: split characters, bytes, specials
        seq = [rng.randrange(n) for _ in range(rng.randint(1, 12))]
        rand.append({"ids": seq, "decoded": safe_decode(tok, seq, False), "decoded_skip": safe_decode(tok, seq, True)})
    return {"kind": "bpe", "vocab_size": n, "ids": ids, "ids_nospecial": ids_ns, "decoded": dec,
            "decoded_skip": dec_skip, "random_decode": rand}


def train_spm(lines, d, model_type, byte_fallback, vocab):
    import sentencepiece as spm
    os.makedirs(d, exist_ok=True)
    spm.SentencePieceTrainer.train(sentence_iterator=iter(lines), model_prefix=os.path.join(d, "tokenizer"),
                                   vocab_size=vocab, model_type=model_type, byte_fallback=byte_fallback,
                                   character_coverage=0.995, num_threads=4, minloglevel=2, hard_vocab_limit=False,
                                   bos_id=1, eos_id=2, unk_id=0, pad_id=-1)
    os.remove(os.path.join(d, "tokenizer.vocab"))
    return os.path.join(d, "tokenizer.model")


def record_spm(path, strings, rng):
    import sentencepiece as spm
    sp = spm.SentencePieceProcessor(model_file=path)
    ids = [sp.encode(s) for s in strings]
    dec = [sp.decode(e) for e in ids]
    n = sp.get_piece_size()
    rand = []
    for _ in range(40):
        seq = [rng.randrange(n) for _ in range(rng.randint(1, 12))]
        # bytes runs, including ones that are not valid UTF-8
        if rng.random() < 0.5:
            byte_ids = [i for i in range(n) if sp.is_byte(i)]
            if byte_ids:
                seq += [rng.choice(byte_ids) for _ in range(rng.randint(1, 4))]
        rand.append({"ids": seq, "decoded": sp.decode(seq)})
    return {"kind": "spm", "vocab_size": n, "ids": ids, "decoded": dec, "random_decode": rand,
            "bos": sp.bos_id(), "eos": sp.eos_id(), "pad": sp.pad_id()}


# --------------------------------------------------------------------------------------------
# Chat template
# --------------------------------------------------------------------------------------------
# tiiuae/falcon-7b-instruct tokenizer_config.json "chat_template" (hub commit 1696201,
# "add chat template to tokenizer_config.json"), verbatim.
FALCON_7B_INSTRUCT_TEMPLATE = (
    "{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}"
    "{% set system_message = messages[0]['content'] %}{% else %}{% set loop_messages = messages %}"
    "{% set system_message = '' %}{% endif %}{% for message in loop_messages %}"
    "{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
    "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
    "{% if loop.index0 == 0 %}{{ system_message.strip() }}{% endif %}"
    "{% if message['role'] == 'user' %}{{ '\\n\\nUser: ' + message['content'].strip().replace('\\r\\n', '\\n')"
    ".replace('\\n\\n', '\\n') }}{% elif message['role'] == 'assistant' %}{{ '\\n\\nAssistant: ' + "
    "message['content'].strip().replace('\\r\\n', '\\n').replace('\\n\\n', '\\n') }}{% endif %}{% endfor %}"
    "{% if add_generation_prompt %}{{ '\\n\\nAssistant:' }}{% endif %}")

# tiiuae/falcon-180B-chat tokenizer_config.json "chat_template" (System:/User:/Falcon:).
FALCON_CHAT_TEMPLATE = (
    "{% for message in messages %}{% if not loop.first %}{{ '\\n' }}{% endif %}"
    "{% if message['role'] == 'system' %}{{ 'System: ' }}{% elif message['role'] == 'user' %}{{ 'User: ' }}"
    "{% elif message['role'] == 'assistant' %}{{ 'Falcon: ' }}{% endif %}{{ message['content'] }}{% endfor %}"
    "{% if add_generation_prompt %}{{ '\\n' + 'Falcon:' }}{% endif %}")

CUSTOM_SPECS = [
    {"name": "chatml", "system": "<|im_start|>system\n{system}<|im_end|>\n", "user": "<|im_start|>user\n{user}<|im_end|>\n",
     "assistant": "<|im_start|>assistant\n{assistant}<|im_end|>\n", "separator": "",
     "generation_prompt": "<|im_start|>assistant\n", "stop_strings": ["<|im_end|>"]},
    {"name": "braces", "system": "### {{System}}: {system}", "user": "### {{User}}: {user}",
     "assistant": "### {{Bot}}: {assistant} </end>", "separator": "\n\n", "generation_prompt": "\n\n### {{Bot}}:",
     "stop_strings": ["###"]},
]


def unescape_braces(s):
    return s.replace("{{", "{").replace("}}", "}")


def spec_part(fmt, name):
    """Splits a spec format at its placeholder; '{{' / '}}' are literal braces (in every field)."""
    ph = "{" + name + "}"
    tmp = fmt.replace("{{", "\x01").replace("}}", "\x02")
    pre, suf = tmp.split(ph)
    unesc = lambda s: s.replace("\x01", "{").replace("\x02", "}")  # noqa: E731
    return unesc(pre), unesc(suf)


def spec_to_jinja(spec):
    lit = lambda s: "{{ " + json.dumps(s) + " }}"  # noqa: E731
    parts = ["{% for message in messages %}{% if not loop.first %}" + lit(unescape_braces(spec["separator"])) + "{% endif %}"]
    first = True
    for role in ("system", "user", "assistant"):
        pre, suf = spec_part(spec[role], role)
        kw = "if" if first else "elif"
        parts.append("{% " + kw + " message['role'] == '" + role + "' %}" + lit(pre) + "{{ message['content'] }}" + lit(suf))
        first = False
    parts.append("{% endif %}{% endfor %}{% if add_generation_prompt %}" + lit(unescape_braces(spec["generation_prompt"])) + "{% endif %}")
    return "".join(parts)


CONVERSATIONS = [
    [{"role": "user", "content": "Hello!"}],
    [{"role": "system", "content": "You are a helpful assistant."}, {"role": "user", "content": "What is 2+2?"}],
    [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"},
     {"role": "assistant", "content": "Hello! How can I help?"}, {"role": "user", "content": "Tell me a joke."}],
    [{"role": "user", "content": "Line one\nLine two\n\n  indented"}, {"role": "assistant", "content": " leading space"},
     {"role": "user", "content": "emoji 👍🏽 and 中文 and العربية"}],
    [{"role": "system", "content": ""}, {"role": "user", "content": ""}],
    [{"role": "assistant", "content": "I start the conversation."}],
    [{"role": "user", "content": "braces {user} {{x}} and User: fake turn\nUser: another"}],
    [],
]


def chat_renderer(tok_dir, renderer):
    """render(conv, template, add_generation_prompt) -> str.
    "transformers": PreTrainedTokenizerFast.apply_chat_template (the reference).
    "jinja2": jinja2 with the environment transformers' apply_chat_template compiles templates in
    (ImmutableSandboxedEnvironment, trim_blocks, lstrip_blocks, loopcontrols), for machines
    without transformers."""
    if renderer == "transformers":
        from transformers import PreTrainedTokenizerFast
        t = PreTrainedTokenizerFast(tokenizer_file=os.path.join(tok_dir, "tokenizer.json"))
        return lambda conv, tmpl, gp: t.apply_chat_template(conv, chat_template=tmpl, tokenize=False,
                                                            add_generation_prompt=gp)
    import jinja2.ext
    from jinja2.sandbox import ImmutableSandboxedEnvironment
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[jinja2.ext.loopcontrols])

    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)

    env.globals["raise_exception"] = raise_exception
    return lambda conv, tmpl, gp: env.from_string(tmpl).render(messages=conv, add_generation_prompt=gp)


INSTRUCT_CONVERSATIONS = [
    [{"role": "system", "content": "  padded system  \n"}, {"role": "user", "content": "  a\r\nb\n\nc\n\n\nd  "},
     {"role": "assistant", "content": "\tx\u3000"}, {"role": "user", "content": "\u0085y\u001f"}],
    [{"role": "user", "content": "first"}, {"role": "assistant", "content": "second\n\n\n\nthird"},
     {"role": "user", "content": "\r\n\r\n"}],
]


def make_chat_fixture(tok_dir, renderer="transformers"):
    render = chat_renderer(tok_dir, renderer)
    out = {"renderer": renderer, "falcon_template": FALCON_CHAT_TEMPLATE, "falcon": [], "custom": []}
    for conv in CONVERSATIONS:
        for gp in (False, True):
            if not conv:  # transformers 5 refuses an empty conversation
                continue
            r = render(conv, FALCON_CHAT_TEMPLATE, gp)
            out["falcon"].append({"messages": conv, "add_generation_prompt": gp, "rendered": r})
    out["falcon_7b_instruct_template"] = FALCON_7B_INSTRUCT_TEMPLATE
    out["falcon_7b_instruct"] = []
    for conv in CONVERSATIONS + INSTRUCT_CONVERSATIONS:
        for gp in (False, True):
            if not conv:
                continue
            try:
                r = render(conv, FALCON_7B_INSTRUCT_TEMPLATE, gp)
            except Exception:  # noqa: BLE001  the template refuses non-alternating roles
                continue
            out["falcon_7b_instruct"].append({"messages": conv, "add_generation_prompt": gp, "rendered": r})
    for spec in CUSTOM_SPECS:
        jt = spec_to_jinja(spec)
        rendered = []
        for conv in CONVERSATIONS:
            for gp in (False, True):
                if not conv:
                    continue
                r = render(conv, jt, gp)
                rendered.append({"messages": conv, "add_generation_prompt": gp, "rendered": r})
        out["custom"].append({"spec": spec, "jinja": jt, "cases": rendered})
    return out


# --------------------------------------------------------------------------------------------
# Benchmark
# --------------------------------------------------------------------------------------------
def bench_text(rng, target_bytes):
    paras = PROSE + CODE + MULTI + EMOJI
    out, size = [], 0
    while size < target_bytes:
        if rng.random() < 0.55:
            words = [rng.choice(WORDS) for _ in range(rng.randint(20, 80))]
            s = " ".join(words) + ".\n"
        else:
            s = rng.choice(paras) + "\n"
        out.append(s)
        size += len(s.encode())
    return "".join(out)


def run_bench(outdir, bench_bin, lines):
    rng = random.Random(7)
    text = bench_text(rng, 10_000_000)
    tpath = os.path.join(outdir, "bench_text.txt")
    with open(tpath, "w", encoding="utf-8") as f:
        f.write(text)
    t0 = time.time()
    tok = train_falcon(text.splitlines()[:40000], 16384)
    train_s = time.time() - t0
    jpath = os.path.join(outdir, "bench_tokenizer.json")
    tok.save(jpath)
    nbytes = len(text.encode())
    # HF timing in a child process so that its thread pool really has one thread.
    hf_ids_path = os.path.join(outdir, "hf_ids.bin")
    child = (
        "import array, json, sys, time\n"
        "from tokenizers import Tokenizer\n"
        "tok = Tokenizer.from_file(sys.argv[1])\n"
        "text = open(sys.argv[2], encoding='utf-8').read()\n"
        "times = []\n"
        "for _ in range(3):\n"
        "    t0 = time.perf_counter(); enc = tok.encode(text, add_special_tokens=False); times.append(time.perf_counter() - t0)\n"
        "open(sys.argv[3], 'wb').write(array.array('i', enc.ids).tobytes())\n"
        "print(json.dumps(times))\n")
    env = dict(os.environ, RAYON_NUM_THREADS="1", TOKENIZERS_PARALLELISM="false")
    p = subprocess.run([sys.executable, "-c", child, jpath, tpath, hf_ids_path], capture_output=True, text=True,
                       env=env, timeout=300)
    if p.returncode != 0:
        raise RuntimeError("HF timing failed: " + p.stderr[-2000:])
    times = json.loads(p.stdout.strip().splitlines()[-1])
    import array
    a = array.array("i")
    with open(hf_ids_path, "rb") as f:
        a.frombytes(f.read())
    ids = list(a)
    os.remove(hf_ids_path)
    tok = Tokenizer.from_file(jpath)
    res = {"date_utc": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()), "bytes": nbytes,
           "train_s": round(train_s, 2), "hf_tokens": len(ids), "hf_first_s": round(times[0], 4),
           "hf_best_s": round(min(times), 4), "hf_mb_per_s_first": round(nbytes / 1e6 / times[0], 2),
           "hf_mb_per_s_best": round(nbytes / 1e6 / min(times), 2),
           "hf_env": "RAYON_NUM_THREADS=1 TOKENIZERS_PARALLELISM=false"}
    try:
        import tokenizers
        res["hf_tokenizers_version"] = tokenizers.__version__
        res["cpu"] = subprocess.run(["sh", "-c", "lscpu | grep 'Model name' | head -1"], capture_output=True,
                                    text=True).stdout.strip()
    except Exception:  # noqa: BLE001
        pass
    if bench_bin and os.path.exists(bench_bin):
        idpath = os.path.join(outdir, "ours_ids.bin")
        p = subprocess.run([bench_bin, jpath, tpath, "3", idpath], capture_output=True, text=True, timeout=240)
        res["ours_cmd"] = f"{bench_bin} bench_tokenizer.json bench_text.txt 3"
        res["ours_rc"] = p.returncode
        res["ours_stderr"] = p.stderr[-2000:]
        try:
            res["ours"] = json.loads(p.stdout.strip().splitlines()[-1])
        except Exception:  # noqa: BLE001
            res["ours_stdout"] = p.stdout[-2000:]
        if os.path.exists(idpath):
            a = array.array("i")
            with open(idpath, "rb") as f:
                a.frombytes(f.read())
            ours = list(a)
            res["ids_equal"] = ours == ids
            if ours != ids:
                k = next((i for i in range(min(len(ours), len(ids))) if ours[i] != ids[i]), min(len(ours), len(ids)))
                res["first_mismatch"] = {"index": k, "hf": ids[max(0, k - 3):k + 5], "ours": ours[max(0, k - 3):k + 5],
                                         "hf_tokens": [tok.id_to_token(i) for i in ids[max(0, k - 3):k + 5]]}
            os.remove(idpath)
    os.remove(tpath)
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--bench-bin", default="")
    ap.add_argument("--skip-bench", action="store_true")
    ap.add_argument("--chat-only", action="store_true", help="only chat_template.json (needs fixtures/falcon)")
    ap.add_argument("--renderer", default="transformers", choices=["transformers", "jinja2"])
    args = ap.parse_args()
    fx = os.path.join(args.out, "fixtures")
    os.makedirs(fx, exist_ok=True)
    if args.chat_only:
        write_json(os.path.join(fx, "chat_template.json"), make_chat_fixture(os.path.join(fx, "falcon"), args.renderer))
        return 0
    rng = random.Random(1234)
    strings = make_test_strings()
    lines = training_lines(random.Random(99), 6000)
    cases = {"strings": strings, "tokenizers": {}}
    t_start = time.time()

    builders = [
        ("falcon", lambda: train_falcon(lines, 3000),
         {"add_prefix_space": False, "eos_token": "<|endoftext|>", "model_max_length": 2048,
          "tokenizer_class": "PreTrainedTokenizerFast"},
         {"additional_special_tokens": FALCON_SPECIALS[:-1], "eos_token": "<|endoftext|>"},
         {"bos_token_id": 11, "eos_token_id": 11}),
        ("metaspace_bf", lambda: train_metaspace_bf(lines),
         {"add_bos_token": True, "add_eos_token": False, "bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>",
          "tokenizer_class": "PreTrainedTokenizerFast"}, None, None),
        ("llama_legacy", lambda: train_llama_legacy(lines),
         {"add_bos_token": True, "bos_token": {"content": "<s>", "special": True}, "eos_token": "</s>",
          "pad_token": "<unk>", "tokenizer_class": "PreTrainedTokenizerFast"}, None,
         {"bos_token_id": 1, "eos_token_id": [2, 1], "pad_token_id": 0}),
        ("nfkc_split", lambda: train_nfkc_split(lines), None, {"mask_token": "[MASK]"}, None),
        ("wordy", lambda: train_wordy(lines), {"pad_token": "[PAD]", "unk_token": "[UNK]"}, None, None),
        ("whitespace", lambda: train_whitespace(lines), None, None, None),
    ]
    for name, build, config, smap, gen in builders:
        try:
            tok = build()
            d = os.path.join(fx, name)
            save_bpe(tok, d, config, smap, gen)
            rec = record_bpe(os.path.join(d, "tokenizer.json"), strings, random.Random(sum(map(ord, name))))
            rec["specials_hf"] = hf_specials(d)
            cases["tokenizers"][name] = rec
            log(f"{name}: ok, vocab {rec['vocab_size']}, {time.time() - t_start:.1f}s")
        except BaseException:  # noqa: BLE001
            log(f"{name}: FAILED\n{traceback.format_exc()}")

    for name, mtype, bf, vocab in (("spm_bpe_bf", "bpe", True, 1200), ("spm_unigram", "unigram", False, 1000)):
        try:
            d = os.path.join(fx, name)
            p = train_spm(lines, d, mtype, bf, vocab)
            cases["tokenizers"][name] = record_spm(p, strings, random.Random(len(name)))
            log(f"{name}: ok, {time.time() - t_start:.1f}s")
        except BaseException:  # noqa: BLE001
            log(f"{name}: FAILED\n{traceback.format_exc()}")

    write_json(os.path.join(fx, "cases.json"), cases)
    try:
        write_json(os.path.join(fx, "chat_template.json"), make_chat_fixture(os.path.join(fx, "falcon"), args.renderer))
        log(f"chat: ok, {time.time() - t_start:.1f}s")
    except BaseException:  # noqa: BLE001
        log(f"chat: FAILED\n{traceback.format_exc()}")

    if not args.skip_bench:
        try:
            res = run_bench(args.out, args.bench_bin, lines)
            write_json(os.path.join(args.out, "bench.json"), res)
            log("bench:", json.dumps(res))
        except BaseException:  # noqa: BLE001
            log(f"bench: FAILED\n{traceback.format_exc()}")
    log(f"total {time.time() - t_start:.1f}s")
    with open(os.path.join(args.out, "log.txt"), "w") as f:
        f.write("\n".join(LOG) + "\n")


if __name__ == "__main__":
    sys.exit(main())

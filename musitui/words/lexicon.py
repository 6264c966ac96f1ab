"""The few words a prompt parser must know in every language it reads: negation, contrast,
clause breaks, and the names of styles and of what the audio is (instruments, voices).
Everything else (moods, scenes, "music to fall asleep to") is the sentence encoder's job
(musitui.words.meaning). Languages: en, zh, ja, ko, de, fr, es, ru, pt (and it, nl where
the word is the same).

Words of space-separated scripts match whole words (``kein`` in "kein Metal", never in
"keiner weiß"; the first part of a compound counts: "Ambient-Musik"); a stem ending in ``*`` matches any ending ("классическ*", "металл*").
Chinese, Japanese and Korean entries match as substrings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# Negators placed before what they negate ("kein Metal", "pas de metal", "不要金属").
NEGATE_BEFORE = {
    "en": ["not", "no", "without", "nothing", "never", "don't", "dont", "avoid", "except", "no more",
           "anything but", "rather than", "instead of", "none", "nor", "skip", "hate"],
    "de": ["kein", "keine", "keinen", "keinem", "keiner", "keines", "nicht", "ohne", "nichts",
           "außer", "ausser", "bloß kein", "bloss kein", "weder", "noch"],
    "fr": ["pas", "sans", "ni", "non", "aucun", "aucune", "rien", "sauf", "jamais", "pas de", "plus de"],
    "es": ["no", "sin", "nada", "ni", "nunca", "excepto", "salvo", "menos", "nada de"],
    "pt": ["não", "nao", "sem", "nada", "nem", "nunca", "exceto", "menos", "nada de"],
    "ru": ["не", "без", "нет", "ни", "ничего", "кроме", "никакого", "никакой", "никаких"],
    "it": ["non", "senza", "niente"],
    "nl": ["geen", "niet", "zonder"],
    "zh": ["不要", "不想", "不想要", "别", "不", "没有", "无", "除了", "非", "不是", "拒绝", "不喜欢", "讨厌"],
    "ko": ["안 "],
}
# Negators placed after what they negate ("メタル以外", "メタルはいらない", "메탈은 빼고").
NEGATE_AFTER = {
    "ja": ["以外", "じゃない", "ではない", "じゃなく", "ではなく", "ない", "なし", "いらない",
           "はいや", "は嫌", "が嫌", "抜き", "やめて", "は除いて", "を除いて", "禁止"],
    "ko": ["말고", "빼고", "없이", "없는", "싫어", "싫은", "않은", "않는", "않게", "아닌", "제외", "금지"],
}
# Words that contain a negator's letters without negating ("切ない" is a sad word).
NOT_NEGATIONS = ["不気味", "つまらない", "つまんない", "切ない", "少ない", "危ない", "せつない", "はかない", "儚い", "不安", "不错", "不停",
                 "不断", "不同", "无聊", "無聊"]
# "X but Y": Y decides more.
CONTRAST = {
    "en": ["but", "yet", "though", "although", "however", "while"],
    "de": ["aber", "sondern", "doch", "jedoch", "trotzdem", "obwohl"],
    "fr": ["mais", "pourtant", "cependant", "quoique", "bien que"],
    "es": ["pero", "sino", "aunque", "sin embargo"],
    "pt": ["mas", "porém", "porem", "embora", "contudo"],
    "ru": ["но", "однако", "хотя", "зато"],
    "it": ["ma", "però"],
    "nl": ["maar"],
    "zh": ["但是", "但", "可是", "不过", "却", "然而"],
    "ja": ["だけど", "けれど", "けど", "でも", "しかし", "ですが"],
    "ko": ["하지만", "그런데", "그러나", "지만"],
}
# Clause breaks besides punctuation: a negation's reach ends here.
BREAK_WORDS = {
    "en": ["and", "or", "with", "for", "then", "plus"],
    "de": ["und", "oder", "mit", "für", "zum", "zur"],
    "fr": ["et", "ou", "avec", "pour"],
    "es": ["y", "o", "con", "para"],
    "pt": ["e", "ou", "com", "para"],
    "ru": ["и", "или", "с", "для"],
    "it": ["e", "o", "con", "per"],
    "nl": ["en", "of", "met", "voor"],
    "zh": ["和", "又", "还有", "而且", "并且"],
    "ja": ["そして"],
    "ko": ["그리고"],
}
PUNCTUATION = ",;.!?，、；。！？…"

# Canonical style word -> its names. Styles are offered only when the library has them
# (its genre tags, or the tagger's genre words); excluded styles always apply.
STYLE_NAMES: dict[str, list[str]] = {
    "metal": ["metal", "métal", "metall*", "метал*", "メタル", "메탈", "金属", "重金属", "heavy metal"],
    "rock": ["rock", "rock'n'roll", "рок", "ロック", "록", "摇滚", "搖滾", "rockmusik"],
    "pop": ["pop", "pops", "popmusik", "поп", "попс*", "ポップ", "ポップス", "팝", "流行", "流行歌"],
    "jazz": ["jazz", "jazzy", "джаз*", "ジャズ", "재즈", "爵士"],
    "classical": ["classical", "klassisch*", "klassik", "classique", "clásic*", "clasic*", "clássic*",
                  "classic*", "классическ*", "классика", "クラシック", "클래식", "古典"],
    "folk": ["folk", "folkmusik", "фолк*", "フォーク", "포크", "民谣", "民謠", "民歌"],
    "punk": ["punk", "панк*", "パンク", "펑크", "朋克"],
    "ambient": ["ambient", "эмбиент", "амбиент", "アンビエント", "앰비언트", "氛围"],
    "electronic": ["electronic", "electronica", "elektronisch*", "elektro", "électronique", "electrónic*",
                   "eletrônic*", "eletronic*", "электронн*", "エレクトロ", "電子音楽", "일렉트로닉", "전자",
                   "电子"],
    "blues": ["blues", "блюз*", "ブルース", "블루스", "蓝调", "布鲁斯", "藍調"],
    "hip-hop": ["hip hop", "hip-hop", "hiphop", "rap", "хип-хоп", "рэп", "ヒップホップ", "ラップ", "힙합",
                "랩", "嘻哈", "说唱"],
    "country": ["country", "кантри", "カントリー", "컨트리", "乡村"],
    "reggae": ["reggae", "регги", "レゲエ", "레게", "雷鬼"],
    "soul": ["soul", "соул", "ソウル", "소울"],
    "funk": ["funk", "фанк", "ファンク", "펑크 음악"],
    "orchestral": ["orchestral", "orchester*", "orchestre", "orquesta*", "orquestra*", "оркестр*",
                   "オーケストラ", "오케스트라", "管弦"],
    "chiptune": ["chiptune", "chiptunes", "8-bit", "8bit", "チップチューン", "칩튠"],
    "techno": ["techno", "техно", "テクノ", "테크노"],
    "house": ["house", "хаус", "ハウス", "하우스"],
}
# What the audio is: words matched against the tagger's outputs (musitui.words.audio_words).
AUDIO_NAMES: dict[str, list[str]] = {
    "instrumental": ["instrumental", "no vocals", "without vocals", "no singing", "no voice", "no lyrics",
                     "instrumentals", "ohne gesang", "ohne stimme", "instrumentale", "sans paroles",
                     "sans voix", "sans chant", "sin voz", "sin letra", "sem voz", "sem vocal", "sem letra",
                     "без слов", "без вокала", "инструментал*", "インスト", "歌なし", "歌無し", "ボーカルなし",
                     "연주곡", "보컬 없는", "보컬없는", "纯音乐", "無人聲", "无人声", "轻音乐"],
    "female vocals": ["female vocals", "female vocal", "female voice", "female singer", "woman singing",
                      "women singing", "frauenstimme", "sängerin", "weibliche stimme", "voix féminine",
                      "chanteuse", "voz femenina", "cantante femenina", "voz feminina", "cantora",
                      "женский вокал", "женский голос", "певица", "女性ボーカル", "女性の声", "여성 보컬",
                      "여자 보컬", "女声", "女歌手", "女生唱"],
    "male vocals": ["male vocals", "male vocal", "male voice", "male singer", "man singing",
                    "männerstimme", "männliche stimme", "voix masculine", "chanteur", "voz masculina",
                    "cantante masculino", "cantor", "мужской вокал", "мужской голос", "певец", "男性ボーカル",
                    "남성 보컬", "남자 보컬", "男声", "男歌手"],
    "vocals": ["vocals", "singing", "singer", "voice", "gesang", "stimme", "chant", "voix", "voz", "vocal",
               "вокал", "голос", "ボーカル", "歌声", "보컬", "人声", "歌声"],
    "piano": ["piano", "pianos", "klavier*", "pianoforte", "фортепиано", "пианино", "рояль", "рояля",
              "ピアノ", "피아노", "钢琴", "鋼琴"],
    "acoustic guitar": ["acoustic guitar", "akustikgitarre", "akustische gitarre", "guitare acoustique",
                        "guitarra acústica", "violão", "violao", "акустическая гитара", "акустической гитары",
                        "アコギ", "アコースティックギター", "어쿠스틱 기타", "통기타", "木吉他", "民谣吉他"],
    "guitar": ["guitar", "guitars", "gitarre*", "guitare", "guitarra*", "гитар*", "ギター", "기타 연주",
               "일렉기타", "吉他"],
    "acoustic": ["acoustic", "unplugged", "akustisch*", "acoustique", "acústic*", "acustic*", "акустическ*",
                 "アコースティック", "어쿠스틱", "原声"],
    "strings": ["strings", "string quartet", "streicher", "streichquartett", "cordes", "cuerdas", "cordas",
                "струнн*", "ストリングス", "弦楽", "현악", "弦乐", "弦樂"],
    "violin": ["violin", "violins", "fiddle", "geige*", "violine", "violon", "violín", "violino",
               "скрипк*", "バイオリン", "ヴァイオリン", "바이올린", "小提琴"],
    "choir": ["choir", "choral", "chorus", "chor", "chöre", "chœur", "choeur", "chorale", "coro", "coral",
              "хор", "хора", "хором", "合唱", "聖歌隊", "합창", "성가대", "合唱团"],
    "drums": ["drums", "drum", "percussion", "schlagzeug", "trommel*", "batterie", "batería", "bateria",
              "percusión", "барабан*", "ドラム", "드럼", "鼓"],
    "synth": ["synth", "synths", "synthesizer", "synthesiser", "synthé", "sintetizador", "синтезатор*",
              "シンセ", "신스", "신디사이저", "合成器"],
    "saxophone": ["saxophone", "sax", "saxofon", "saxophon", "saxofón", "saxofone", "саксофон*",
                  "サックス", "색소폰", "萨克斯"],
}

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def is_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


_TOKEN = re.compile(r"[\w']+")


@dataclass(frozen=True)
class Matcher:
    """Finds any of a set of words in lowercased text: (start, end, canonical) spans, the
    longest phrase first. Whole words (and phrases of them) by dictionary look-up, stems by
    prefix, CJK entries as substrings: no large regular expression to compile at start-up."""

    phrases: dict[str, str]
    longest: int
    stems: tuple[tuple[str, str], ...]
    cjk: tuple[tuple[str, str], ...]

    def find(self, text: str) -> list[tuple[int, int, str]]:
        spans: list[tuple[int, int, str]] = []
        tokens = [(m.start(), m.end(), m.group(0)) for m in _TOKEN.finditer(text)]
        i = 0
        while i < len(tokens):
            hit = None
            for n in range(min(self.longest, len(tokens) - i), 0, -1):
                phrase = " ".join(t[2] for t in tokens[i:i + n])
                name = self.phrases.get(phrase)
                if name is not None:
                    hit = (tokens[i][0], tokens[i + n - 1][1], name, n)
                    break
            if hit is None:
                word = tokens[i][2]
                name = next((c for stem, c in self.stems if word.startswith(stem)), None)
                if name is not None:
                    hit = (tokens[i][0], tokens[i][1], name, 1)
            if hit is None:
                i += 1
                continue
            spans.append(hit[:3])
            i += hit[3]
        taken = [(s, e) for s, e, _ in spans]
        for entry, name in self.cjk:
            at = text.find(entry)
            while at >= 0:
                end = at + len(entry)
                if not any(at < e and s < end for s, e in taken):
                    spans.append((at, end, name))
                    taken.append((at, end))
                at = text.find(entry, end)
        return sorted(spans)


def matcher(names: dict[str, list[str]] | Iterable[tuple[str, str]]) -> Matcher:
    """A matcher for canonical -> names (or (word, canonical) pairs)."""
    pairs = ([(w, c) for c, words in names.items() for w in words] if isinstance(names, dict)
             else list(names))
    phrases: dict[str, str] = {}
    stems: list[tuple[str, str]] = []
    cjk: list[tuple[str, str]] = []
    for word, name in pairs:
        word = word.lower()
        if is_cjk(word):
            cjk.append((word, name))
        elif word.endswith("*"):
            stems.append((word.rstrip("*"), name))
        else:
            phrases.setdefault(" ".join(_TOKEN.findall(word)), name)
    longest = max((len(p.split()) for p in phrases), default=1)
    return Matcher(phrases, longest, tuple(sorted(stems, key=lambda s: -len(s[0]))),
                   tuple(sorted(cjk, key=lambda c: -len(c[0]))))


def _flat(table: dict[str, list[str]]) -> list[tuple[str, str]]:
    return [(w, w) for words in table.values() for w in words]


NEGATE_BEFORE_MATCH = matcher(_flat(NEGATE_BEFORE))
NEGATE_AFTER_MATCH = matcher(_flat(NEGATE_AFTER))
CONTRAST_MATCH = matcher(_flat(CONTRAST))
BREAK_MATCH = matcher(_flat(BREAK_WORDS))
STYLE_MATCH = matcher(STYLE_NAMES)
AUDIO_MATCH = matcher(AUDIO_NAMES)
NOT_NEGATION_MATCH = matcher([(w, w) for w in NOT_NEGATIONS])

# Tempo words (a BPM range in musitui.words.prompt.TEMPO_WORDS terms: "fast" / "slow").
TEMPO_NAMES: dict[str, list[str]] = {
    "fast": ["fast", "faster", "schnell*", "rapide*", "rápid*", "rapid*", "быстр*", "速い", "速く", "速め",
             "アップテンポ", "빠른", "빠르고", "빠르게", "快节奏", "快歌", "节奏快"],
    "slow": ["slow", "slower", "langsam*", "lent", "lente", "lents", "lento", "lenta", "медленн*",
             "遅い", "ゆっくり", "スロー", "느린", "느리게", "천천히", "慢节奏", "慢歌", "节奏慢", "舒缓"],
}
TEMPO_MATCH = matcher(TEMPO_NAMES)
# Words that introduce a seed title: "like X", "wie X", "comme X", "像X", "X みたいな".
LIKE_WORDS = ["more like", "something like", "like", "similar to", "such as", "wie", "ähnlich wie", "comme",
              "como", "parecido a", "parecida a", "как", "похожее на", "похоже на", "像", "类似", "類似",
              "みたいな", "のような", "같은", "처럼"]
LIKE_MATCH = matcher([(w, w) for w in LIKE_WORDS])


def audio_in_english(text: str) -> str | None:
    """``text`` with its audio names in any language put as their English word ("钢琴曲" ->
    "piano曲", "Klavier" -> "piano"), for search; None when it names none."""
    lowered = text.lower()
    spans = AUDIO_MATCH.find(lowered)
    if not spans:
        return None
    out = lowered
    for start, end, name in sorted(spans, reverse=True):
        out = out[:start] + f" {name} " + out[end:]
    out = " ".join(out.split())
    return out if out != " ".join(lowered.split()) else None

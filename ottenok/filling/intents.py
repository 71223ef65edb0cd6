"""What the customer means by a message, independent of the slot values it carries.

Precedence follows the cost of a mistake: asking for a human and cancelling beat everything
(missing them angers a customer), a correction beats a question ("а можно не 38, а 39?" changes
the order), a question beats a greeting ("Здравствуйте, сколько стоят?" must be answered).
The intent does not depend on the dialogue state: "да" is always a confirmation, and the
order declaration's intent table (`ottenok/states/order.py`) decides what it does where.
"""

from __future__ import annotations

import re

from ottenok.filling.cities import find_city, fold_kazakh
from ottenok.morphology import lemma, morph, russian_from_latin
from ottenok.slots import Intent

_WORD_RE = re.compile(r"[a-zа-я0-9]+(?:-[a-zа-я0-9]+)*")
_LATIN_RE = re.compile(r"[a-zA-Z]{2}")


def _words_re(*alternatives: str) -> re.Pattern[str]:
    return re.compile(r"(?<![a-zа-я0-9])(?:" + "|".join(alternatives) + r")(?![a-zа-я0-9])")


_MANAGER = _words_re(
    r"менеджер[а-я]*", r"оператор[а-я]*", r"живо[йм]у?(?: [а-я]+)? человек[а-я]*", r"живым",
    r"с человеком", r"человек[а]? позов[а-я]*", r"позов[а-я]+", r"консультант[а-я]*",
    r"администратор[а-я]*", r"руководител[а-я]*", r"хозяйк[а-я]*", r"продавц[а-я]*",
    r"продавщиц[а-я]*", r"поговорить с (?:кем[- ]?(?:то|нибудь)|вами|человеком|живым)",
    r"(?:свяжите|соедините) (?:меня )?с", r"перезвон[а-я]*", r"позвоните мне", r"manager",
    r"operator", r"human", r"real person",
)  # fmt: skip
_CANCEL = _words_re(
    r"передумал[аи]?", r"отмен[а-я]*", r"откаж[а-я]*", r"отказыва[а-я]*", r"неактуальн[а-я]*",
    r"не актуальн[а-я]*", r"не буду (?:брать|заказывать|покупать)",
    r"не будем (?:брать|заказывать)", r"cancel",
)  # fmt: skip
# "не надо" cancels only as a short answer: "пакет не надо, а так всё верно" is no cancel.
_SHORT_CANCEL = _words_re(r"не надо", r"не нужно", r"не нужны", r"не хочу", r"уже не хочу")
_SHORT_CANCEL_MAX_WORDS = 5
_CORRECTION = _words_re(
    r"поменя[а-я]*", r"измен[а-я]*", r"исправ[а-я]*", r"замен[а-я]*",
    r"вместо", r"перепутал[а-я]*", r"ошибл[а-я]*", r"ошибочно", r"на самом деле",
    r"(?:размер|цвет|адрес|город|модел)[а-я]* (?:не (?:тот|та|те|то|подходит)|неправильн[а-я]*)",
)  # fmt: skip
# Weaker cues: they correct only when the message brings a new value ("ой, лучше чёрные",
# "не 38, а 39"); "пакет не надо, а так всё верно" corrects nothing.
_SOFT_CORRECTION = _words_re(
    r"не [^,?]{1,30}?,? а", r"^ой", r"^упс", r"лучше", r"друг(?:ой|ую|ие|ое|ого)", r"все-таки",
    r"передумал[аи]?",
)  # fmt: skip
_QUESTION = _words_re(
    # "как"/"какой" ask only from the start ("какой размер брать"): "как обычно" answers.
    r"^(?:а |и )?как(?:ой|ая|ое|ие|их|им|ими|ую|ого|ому|ом)?", r"сколько", r"где", r"когда",
    r"почему",
    r"зачем", r"куда", r"откуда", r"ли", r"подскаж[а-я]*", r"скаж[а-я]*", r"интересу[а-я]*",
    r"оригинал[а-я]*", r"реплик[а-я]*", r"рассрочк[а-я]*", r"кредит[а-я]*", r"kaspi", r"каспи",
    r"а если", r"а вдруг", r"как долго", r"цена", r"стоимост[а-я]*", r"how much", r"how long",
    r"what", r"where", r"when", r"price", r"(?<!если )есть$", r"есть ли", r"имеется$", r"бывают$",
    # Kazakh (letters folded): how much, when, where, how, which; the question particles.
    r"канша", r"кашан", r"кайда", r"калай", r"кандай", r"ма", r"ме", r"ба", r"бе", r"па", r"пе",
    r"барма", r"бар ма",
)  # fmt: skip
# A polite request: a question unless it brings slot values ("можно 38 чёрные" is an order).
_REQUEST = _words_re(r"^можно", r"^а можно", r"^есть", r"^а есть", r"^имеется", r"^бывают")
_PHOTOS = _words_re(
    r"фот[а-я]*", r"фотограф[а-я]*", r"фотк[а-я]*", r"фоточк[а-я]*", r"покаж[а-я]*",
    r"показать", r"видео[а-я]*", r"видос[а-я]*", r"как выгляд[а-я]*", r"живьем", r"вживую",
    r"photo[a-z]*", r"pic[a-z]*", r"how (?:does|do) (?:it|they) look", r"show me",
)  # fmt: skip
# What makes a photo word a request: a verb of showing, "можно", "есть", "хочу".
_PHOTO_REQUEST = _words_re(
    r"скин[а-я]*", r"скид[а-я]*(?:те)", r"покаж[а-я]*", r"показать", r"отправ[а-я]*(?:те|ь)",
    r"пришл[а-я]*", r"можно", r"есть", r"хочу", r"хотела?", r"посмотреть", r"глянуть",
    r"как выгляд[а-я]*", r"send", r"show", r"how (?:does|do) (?:it|they) look",
)  # fmt: skip
_PHOTO_REQUEST_MAX_WORDS = 3
_GREETING = re.compile(
    r"^(?:здравствуй[а-я]*|здрасьте|здрасте|здраст[а-я]*|добр(?:ый|ое|ого) (?:день|вечер|утро|дня|"
    r"вечера|утра)|доброе утро|день добрый|приветствую|приветик|привет|салам[а-я]*(?: алейкум)?|"
    r"ассала[а-я]*(?: алейкум)?|салем|салеметсиз ?бе|салеметсиз|кайырлы (?:кун|тан|кеш)|hi|hello|"
    r"hey|"
    r"good (?:morning|afternoon|evening)|хай)(?![a-zа-я0-9])"
)
# Words that say yes (Kazakh folded: иә → ие, дұрыс → дурыс, әрине → эрине).
_YES = {
    "да", "даа", "дааа", "ага", "угу", "ок", "окей", "оке", "ok", "okay", "yes", "yep", "yeah",
    "yup", "верно", "правильно", "конечно", "точно", "давайте", "давай", "согласна", "согласен",
    "иа", "ия", "ие", "дурыс", "durys", "эрине", "болады", "жарайды", "sure", "подходит",
    "подходят", "устраивает", "да-да", "канешн", "конечн", "+", "хорошо", "отлично", "супер",
    "ладно", "норм", "го", "оформляйте", "оформляем", "оформите", "оформляй", "подтверждаю",
    "подтверждаем", "correct", "right", "fine",
}  # fmt: skip
# Verbs that say yes in any form: "давайте оформим", "заказываю", "беру", "подтверждаю".
_YES_LEMMAS = {
    "оформить", "оформлять", "подтвердить", "подтверждать", "заказать", "заказывать", "брать",
    "взять", "согласный",
}  # fmt: skip
# Words that may pad a yes without changing it: "да, теперь всё так, спасибо", "yes please".
_YES_PADDING = {
    "все", "так", "именно", "теперь", "это", "вот", "уже", "тогда", "please", "its", "it", "is",
    "thats", "that", "s", "all", "good", "now", "then", "спасибо", "рахмет", "пожалуйста",
    "большое", "вам", "девушка", "всё", "заказ", "оформляйте", "отлично", "можно", "мне", "его",
    "их", "ее", "беру", "возьму",
}  # fmt: skip
_STRONG_CONFIRM = _words_re(
    r"оформляйте", r"оформляем", r"оформите", r"подтверждаю", r"подтверждаем",
    r"все верно", r"все правильно", r"все так", r"все ок", r"all good", r"sounds good",
)  # fmt: skip
_NEGATION = {"нет", "не", "неа", "no", "not", "nope", "жок", "неверно", "неправильно"}
_NO = {"нет", "неа", "неверно", "неправильно", "жок", "no", "nope", "нее", "неее"}
# "повторите", "не поняла, повторите", "что?": the customer missed what was asked. Every word
# of the message must be one of these, and one of them must ask.
_REPEAT_ASKING = _words_re(
    r"повтори[а-я]*", r"еще раз", r"не понял[аи]?", r"не поняла", r"непонятно", r"что", r"чего",
    r"шо", r"в смысле", r"sorry", r"what", r"pardon", r"again",
)  # fmt: skip
_REPEAT_WORDS = {
    "повторите", "повтори", "повторить", "еще", "раз", "не", "поняла", "понял", "поняли",
    "непонятно", "что", "чего", "шо", "в", "смысле", "вы", "имеете", "виду", "можно", "а",
    "извините", "sorry", "what", "pardon", "again", "please", "пожалуйста", "вас", "я",
}  # fmt: skip
# "не знаю размер", "хз какой": help with the pending question rather than skip it.
_NOT_SURE = _words_re(
    r"не знаю", r"не уверен[аы]?", r"хз", r"без понятия", r"не помню", r"помогите выбрать",
    r"как (?:выбрать|определить|узнать|понять) (?:свой |мой )?размер", r"i don t know", r"dunno",
    r"білмеймін", r"билмеймин",
)  # fmt: skip
_NOT_SURE_MAX_WORDS = 7
_NO_PHRASES = (
    "не так", "не то", "не верно", "не правильно", "не подходит", "не все", "не совсем", "да нет",
)  # fmt: skip
_THUMBS_UP = re.compile("[\U0001f44d\U0001f44c\u2705]")
_SMALLTALK = {
    "спасибо", "спс", "благодарю", "рахмет", "thanks", "thank", "you", "ок", "окей",
    "ok", "okay", "понятно", "поняла", "понял", "ясно", "хорошо", "ладно", "супер", "отлично",
    "класс", "круто", "норм", "жду", "будем", "ждать", "ждем", "большое", "вам", "хорошего",
    "дня", "пожалуйста", "угу", "ага", "ясненько", "поняв", "good", "great", "cool", "сау",
    "болыныз", "девушки", "девушка", "мерси",
}  # fmt: skip
_FILLERS = {"а", "ну", "и", "вот", "так", "же", "уже", "пожалуйста", "спасибо", "вам", "тогда"}
#: A choice between two values is a question, not a correction: "38 лучше или 39?".
_CHOICE = _words_re(r"или", r"or")


def normalized(text: str) -> str:
    """Lower case, ё and Kazakh letters folded, emoji and punctuation (but "?") to spaces."""
    folded = _THUMBS_UP.sub(" ok ", fold_kazakh(text))
    return re.sub(r"\s+", " ", re.sub(r"[^a-zа-я0-9?+\s-]", " ", folded)).strip()


def wants_photos(text: str) -> bool:
    """Whether the customer asks to see the product ("скиньте фото", "как выглядят?", "фото?"),
    not only mentions a photo ("как на фото, которое вы скидывали")."""
    norm = normalized(text)
    if not _PHOTOS.search(norm):
        return False
    short = len(_WORD_RE.findall(norm)) <= _PHOTO_REQUEST_MAX_WORDS
    return "?" in norm or short or bool(_PHOTO_REQUEST.search(norm))


def classify(text: str, has_values: bool = False) -> Intent:
    """The intent of one message.

    `has_values` tells that the message also carried slot values (the slot filler knows): then a
    greeting, a "да" or a polite "можно …" is the customer providing information, and a "нет"
    with a new value is a correction. Russian typed in Latin letters ("da konechno", "net")
    is read in Russian when its English reading means nothing.
    """
    intent = _classify(normalized(text), text, has_values)
    if intent in (Intent.UNKNOWN, Intent.SMALLTALK) and _LATIN_RE.search(text):
        as_russian = russian_from_latin(text)
        read = _classify(normalized(as_russian), as_russian, has_values)
        return intent if read == Intent.UNKNOWN else read
    return intent


def _classify(norm: str, text: str, has_values: bool) -> Intent:
    words = _WORD_RE.findall(norm)
    if not words:
        if "?" in norm:
            return Intent.REPEAT  # a bare "?": the customer waits for what we meant
        if "+" in norm:
            return Intent.CONFIRM
        return Intent.SMALLTALK if text.strip() else Intent.UNKNOWN
    if _MANAGER.search(norm):
        return Intent.ASK_MANAGER
    corrects = bool(_CORRECTION.search(norm)) or (
        has_values and bool(_SOFT_CORRECTION.search(norm))
    )
    if _CANCEL.search(norm) and not (corrects and has_values):
        return Intent.CANCEL
    if (
        _SHORT_CANCEL.search(norm)
        and len(words) <= _SHORT_CANCEL_MAX_WORDS
        and not has_values
        and "?" not in norm
    ):
        return Intent.CANCEL
    if "?" in norm and _CHOICE.search(norm):
        return Intent.QUESTION
    if corrects and (has_values or "?" not in norm):
        return Intent.CORRECT
    greeting = _GREETING.match(norm)
    if greeting:
        rest = norm[greeting.end() :].strip(" ,-")
        if not rest or _only(rest, _SMALLTALK | _FILLERS):
            return Intent.GREETING
        intent = _classify(rest, rest, has_values)
        return Intent.GREETING if intent in {Intent.UNKNOWN, Intent.SMALLTALK} else intent
    if not has_values:
        if _REPEAT_ASKING.search(norm) and _only(norm, _REPEAT_WORDS):
            return Intent.REPEAT
        if _NOT_SURE.search(norm) and len(words) <= _NOT_SURE_MAX_WORDS:
            return Intent.NOT_SURE
    if "?" in norm or _QUESTION.search(norm):
        return Intent.QUESTION
    if _REQUEST.search(norm) or wants_photos(text):
        return Intent.PROVIDE_INFO if has_values else Intent.QUESTION
    if _says_yes(norm, words):
        return Intent.PROVIDE_INFO if has_values else Intent.CONFIRM
    if words[0] in _NO or norm == "не" or norm.startswith(_NO_PHRASES):
        return Intent.CORRECT if has_values else Intent.DENY
    if has_values:
        return Intent.PROVIDE_INFO
    if _only(norm, _SMALLTALK | _FILLERS | _YES, names=True):
        return Intent.SMALLTALK
    return Intent.UNKNOWN


def _says_yes(norm: str, words: list[str]) -> bool:
    """A yes, whatever pads it ("да, теперь всё так", "yes please", "иә, дұрыс 👍"), as long
    as nothing in it says no. Thanks alone are no yes: they only pad one."""
    strong = _STRONG_CONFIRM.search(norm)
    if strong and not norm[: strong.start()].endswith(("не ", "no ", "not ")):
        return True  # "пакет не надо, а так всё верно"
    if _NEGATION & set(words):
        return False
    has_yes = "+" in norm or any(w in _YES or lemma(w) in _YES_LEMMAS for w in words)
    padding = _YES | _YES_PADDING | _FILLERS
    return has_yes and all(w in padding or lemma(w) in _YES_LEMMAS or _is_name(w) for w in words)


def _is_name(word: str) -> bool:
    """A person's first name ("да, Мадина, спасибо"): whatever the assistant is called. Read
    as a name first, and no city ("Астана" is also a name's genitive)."""
    return "Name" in morph().parse(word)[0].tag and find_city(word) is None


def _only(norm: str, vocabulary: set[str], names: bool = False) -> bool:
    """Whether every word of the message is in the vocabulary, or with `names` a first name
    (emoji and punctuation ignored)."""
    words = _WORD_RE.findall(norm.replace("?", " "))
    return bool(words) and all(word in vocabulary or (names and _is_name(word)) for word in words)

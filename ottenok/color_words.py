"""The general table of colour words: how customers in Kazakhstan name colours.

This is the default every shop gets; a shop extends it with `DATA_DIR/colors.yaml` (see
`ottenok.colors`). Nothing here is a shop fact: a word below can only ever lead to a colour the
shop itself sells.

- `EQUIVALENTS`: words that name the same colour (Russian, slang, English, Kazakh). The first word
  is the group's name; a shop colour that is any member inherits every other member.
- `SHADES`: a shade → the colours it is closest to, nearest first. A customer's shade finds the
  shop's colour of that name when the shop sells it, else the nearest colour the shop has (marked
  approximate, so a reply can say so); a customer's plain colour finds the shop's shade when that
  colour is the shade's nearest one ("розовые?" → the shop's "пудровый").
- `NOT_COLORS`: phrases where a colour word is a name ("Kaspi Gold").
- `KAZAKH`: Kazakh colour words (folded to Russian letters: "қара" is "кара") and the colours
  they name. They count only as whole words (Kazakh place names are full of them: "Ак-Жол",
  "Кок-Тобе", "Сарыарка"), with the common Kazakh endings ("карасы", "акты").
"""

from __future__ import annotations

EQUIVALENTS: tuple[tuple[str, ...], ...] = (
    ("черный", "black", "блэк", "блек"),
    ("белый", "white", "вайт", "уайт"),
    ("бежевый", "беж", "beige"),
    ("бордовый", "бордо", "burgundy", "bordeaux"),
    ("коричневый", "brown"),
    ("красный", "red"),
    ("серый", "grey", "gray"),
    ("синий", "blue"),
    ("темно-синий", "navy", "нэви", "неви", "navy blue", "dark blue"),
    ("голубой", "light blue", "sky blue", "baby blue"),
    ("розовый", "pink", "пинк"),
    ("золотой", "золотистый", "gold", "golden", "голд"),
    ("серебряный", "серебристый", "серебро", "silver", "сильвер"),
    ("зеленый", "green"),
    ("хаки", "khaki"),
    ("нюдовый", "нюд", "nude", "телесный"),
    ("молочный", "молочка", "milk", "milky", "милки"),
    ("кремовый", "cream"),
    ("желтый", "yellow"),
    ("оранжевый", "orange"),
    ("фиолетовый", "purple", "violet"),
    ("сиреневый", "лиловый", "lilac"),
    ("мятный", "mint"),
    ("оливковый", "olive"),
    ("леопардовый", "лео", "леопард", "leopard"),
    ("пудровый", "пудра", "powder"),
    ("песочный", "sand"),
    ("карамельный", "карамель", "caramel"),
    ("коньячный", "коньяк", "cognac"),
    ("кэмел", "кемел", "camel"),
    ("графитовый", "графит", "graphite"),
    ("мультиколор", "multicolor", "разноцветный"),
    ("прозрачный", "transparent", "clear"),
)

SHADES: dict[str, tuple[str, ...]] = {
    "шампань": ("бежевый", "золотой", "молочный", "кремовый"),
    "champagne": ("бежевый", "золотой", "молочный", "кремовый"),
    "пудровый": ("розовый", "нюдовый", "бежевый"),
    "нюдовый": ("бежевый", "пудровый", "розовый"),
    "айвори": ("молочный", "кремовый", "белый"),
    "ivory": ("молочный", "кремовый", "белый"),
    "слоновая кость": ("молочный", "кремовый", "белый"),
    "молочный": ("белый", "кремовый", "бежевый"),
    "кремовый": ("молочный", "бежевый", "белый"),
    "капучино": ("бежевый", "коричневый"),
    "кофейный": ("коричневый",),
    "мокко": ("коричневый",),
    "шоколадный": ("коричневый",),
    "chocolate": ("коричневый",),
    "кэмел": ("коричневый", "бежевый"),
    "коньячный": ("коричневый",),
    "карамельный": ("коричневый", "бежевый"),
    "песочный": ("бежевый",),
    "тауп": ("серый", "коричневый"),
    "taupe": ("серый", "коричневый"),
    "графитовый": ("серый", "черный"),
    "антрацит": ("серый", "черный"),
    "винный": ("бордовый", "красный"),
    "вишневый": ("бордовый", "красный"),
    "марсала": ("бордовый",),
    "marsala": ("бордовый",),
    "wine": ("бордовый",),
    "алый": ("красный",),
    "коралловый": ("красный", "оранжевый", "розовый"),
    "терракотовый": ("коричневый", "оранжевый", "красный"),
    "фуксия": ("розовый",),
    "малиновый": ("розовый", "красный"),
    "лавандовый": ("сиреневый", "фиолетовый"),
    "изумрудный": ("зеленый",),
    "хаки": ("зеленый", "оливковый"),
    "оливковый": ("зеленый", "хаки"),
    "мятный": ("зеленый", "голубой"),
    "бирюзовый": ("голубой", "зеленый"),
    "электрик": ("синий",),
    "джинсовый": ("синий", "голубой"),
    "темно-синий": ("синий",),
    "горчичный": ("желтый",),
    "лимонный": ("желтый",),
    "персиковый": ("розовый", "оранжевый"),
    "серебристый": ("серебряный", "серый"),
    "металлик": ("серебряный", "золотой"),
}

# Phrases whose colour word names no colour: the Kaspi bank cards every customer in Kazakhstan
# pays with ("оплачу каспи голд", "Kaspi Red в рассрочку").
NOT_COLORS: tuple[str, ...] = tuple(
    f"{bank} {card}" for bank in ("каспи", "kaspi") for card in ("голд", "gold", "ред", "red")
)

# Folded Kazakh word (or phrase) → the colours it names, nearest first.
KAZAKH: dict[str, tuple[str, ...]] = {
    "кара": ("черный",),
    "ак": ("белый",),
    "акшыл": ("молочный", "белый"),
    "кызыл": ("красный",),
    "алтын": ("золотой",),
    "кумис": ("серебряный",),
    "кок": ("синий", "голубой"),
    "ашык кок": ("голубой", "синий"),
    "кою кок": ("темно-синий", "синий"),
    "жасыл": ("зеленый",),
    "коныр": ("коричневый",),
    "курен": ("коричневый",),
    "сары": ("желтый",),
    "кызгылт": ("розовый",),
    "сур": ("серый",),
    "кулгин": ("фиолетовый", "сиреневый"),
}

# Kazakh possessive, accusative and ablative endings: "карасы бар ма?", "акты алам".
KAZAKH_ENDINGS: tuple[str, ...] = (
    "сы", "си", "ы", "и", "ын", "ин", "сын", "син", "ны", "ни", "ды", "ди", "ты", "ти",
    "дан", "ден", "тан", "тен", "нан", "нен", "ларын", "лерин", "дарын", "дерин",
)  # fmt: skip

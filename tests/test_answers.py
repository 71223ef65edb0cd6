"""Answers from catalog facts, live stock, the shop's facts and sales scripts; refusals for what
the shop never wrote; and the wording of shop facts (names, delivery) in templates."""

from __future__ import annotations

import random

from shops import SECOND_SHOP_SCRIPTS
from toyshop import BAG, SHOE, toy_catalog, toy_variants

from knowledge.shop_info import derive_shop_info
from ottenok.answers import Answerer, ScriptIndex, best_paragraph
from ottenok.catalog import Catalog, Product
from ottenok.phrasing.offline import OfflinePhraser
from ottenok.phrasing.templates import Templates
from ottenok.sentences import split_questions
from ottenok.shop_info import ShopInfo
from ottenok.slots import OrderSlots, ProductType
from ottenok.stock import Stock, Variant

SECTIONS = [(topic, "\n".join(paragraphs)) for topic, paragraphs in SECOND_SHOP_SCRIPTS.items()]
SHOP = ShopInfo(
    delivery=[
        {"where": "Шымкент", "days": "1 день", "free_from": 30000},
        {"where": "по Казахстану", "days": "3–6 дней", "price": 2000},
    ],
    payment="Оплата переводом Kaspi или картой при получении.",
)


def answerer(catalog: Catalog | None = None, shop: ShopInfo | None = None) -> Answerer:
    return Answerer(catalog or toy_catalog(), Templates.load(), None, SECTIONS, shop)


async def test_script_questions_find_their_topic_without_word_vectors() -> None:
    ask = answerer().answer
    assert "2 000 ₸" in await ask("сколько стоит отправка почтой в другой город?", None)
    assert "Kaspi" in await ask("можно оплатить каспи?", None)
    assert "7 дней" in await ask("а вернуть можно, если не подойдут?", None)


async def test_questions_the_shop_never_wrote_about_get_no_answer() -> None:
    ask = answerer().answer
    assert await ask("у вас есть подарочные сертификаты?", None) is None
    assert await ask("какая завтра погода?", None) is None


async def test_a_message_without_words_asks_nothing() -> None:
    shop = answerer()
    for text in ("?", "😍", "??? 🙈", "👍"):
        reply = await shop.reply(text, None)
        assert (reply.text, reply.asked, shop.asks_anything(text)) == (None, False, False)
    assert shop.asks_anything("а доставка?")


async def test_product_facts_come_from_the_catalog() -> None:
    catalog = toy_catalog()
    catalog.products[SHOE] = Product(
        id=SHOE, name="Ботильоны Aster", type="shoes", material="натуральная замша", price=59900
    )
    ask = answerer(catalog).answer
    assert await ask("а из какого материала?", SHOE) == "Ботильоны Aster: натуральная замша."
    assert "36, 37, 38, 39 и 40" in await ask("какие размеры есть?", SHOE)
    assert "черный и бордовый" in await ask("в каких цветах есть?", SHOE)


async def test_sizes_and_colours_come_from_live_stock_only() -> None:
    variants = [v for v in toy_variants() if v.product_id != SHOE]
    variants += [
        Variant(SHOE, s, "черный", 0 if s in ("37", "38") else 2) for s in ("36", "37", "38", "39")
    ]
    variants += [Variant(SHOE, s, "бордовый", 0) for s in ("36", "37", "38", "39")]
    ask = answerer(toy_catalog(variants)).answer
    sizes = await ask("какие размеры остались?", SHOE)
    assert "36 и 39" in sizes and "37" not in sizes and "38" not in sizes
    assert await ask("а какие цвета есть?", SHOE) == "Ботильоны Aster: есть черный."
    burgundy = await ask("а в бордовом есть?", SHOE)
    assert "закончились" in burgundy and "черный" in burgundy


async def test_two_questions_in_one_message_get_two_answers() -> None:
    ask = answerer(shop=SHOP).answer
    answer = await ask("доставка в шымкент сколько дней и можно картой оплатить?", None)
    assert "1 день" in answer and "картой" in answer
    answer = await ask("в Актобе отправляете? сколько по деньгам", None)
    assert answer == "Доставка в город Актобе: 3–6 дней, 2 000 ₸."


async def test_a_delivery_question_gets_the_row_of_its_city_or_the_customers() -> None:
    ask = answerer(shop=SHOP).answer
    assert await ask("в Шымкент когда привезете?", None) == (
        "Доставка в город Шымкент: 1 день, бесплатно при заказе от 30 000 ₸."
    )
    assert "3–6 дней, 2 000 ₸" in await ask("сколько стоит доставка?", None, city="Тараз")
    everything = await ask("доставка сколько стоит?", None)
    assert "Шымкент" in everything and "по Казахстану" in everything
    # the price of the chosen product is not the price of delivery
    assert "2 000 ₸" in await ask("а доставка сколько стоит?", SHOE, city="Атырау")


async def test_a_shop_without_delivery_facts_quotes_its_script_or_nothing() -> None:
    ask = Answerer(toy_catalog(), Templates.load(), None, [], ShopInfo()).answer
    assert await ask("сколько доставка в Астану?", None) is None


async def test_a_kind_question_lists_the_products_of_that_kind_in_stock() -> None:
    variants = toy_variants() + [Variant("clutch", None, "золотой", 0)]
    catalog = Catalog(
        [*toy_catalog().products.values(),
         Product(id="clutch", name="Клатч Stella", type=ProductType.BAG, price=30000)],
        Stock(variants),
    )  # fmt: skip
    answer = await answerer(catalog).answer("какие сумки у вас есть?", None)
    assert "• Сумка-тоут Nord" in answer
    assert "Клатч Stella —" not in answer and "закончились: Клатч Stella" in answer
    reply = await answerer(catalog).reply("что есть из обуви?", None)
    assert "Ботильоны Aster" in reply.text and "Лоферы Lumen" in reply.text
    assert set(reply.listed) == {SHOE, "loafers"}


async def test_a_sold_out_kind_offers_its_family_in_stock() -> None:
    variants = toy_variants() + [Variant("keds", "37", "белый", 0)]
    products = [
        *toy_catalog().products.values(),
        Product(id="keds", name="Кеды Plain", type=ProductType.SHOES, price=9000),
        Product(id="run", name="Кроссовки Dash", type=ProductType.SHOES, price=19000),
    ]
    catalog = Catalog(products, Stock([*variants, Variant("run", "38", "белый", 3)]))
    answer = await answerer(catalog).answer("кеды есть?", None)
    assert answer.startswith("К сожалению, сейчас закончились: Кеды Plain")
    assert "Кроссовки Dash — 19 000 ₸" in answer


async def test_a_brand_the_shop_does_not_carry_is_said_so_with_what_it_has() -> None:
    products = [p.model_copy(update={"brand": "Nord"}) for p in toy_catalog().products.values()]
    ask = answerer(Catalog(products, Stock(toy_variants()))).answer
    assert await ask("Есть Dior?", None) == "Dior у нас нет 🙏 Есть Nord."
    assert (await ask("а гуччи есть?", None)).startswith("Gucci у нас нет")
    assert (await ask("Zadig есть?", None)).startswith("Zadig у нас нет")
    assert "Сумка-тоут Nord" in await ask("что есть от Nord?", None)
    assert await ask("каспи ред есть?", None) is None or "нет 🙏" not in await ask(
        "каспи ред есть?", None
    )


async def test_size_advice_only_for_size_questions() -> None:
    sections = [
        ("Размеры", "Кроссовки маломерят, берите на размер больше. 37 — 23,5 см, 38 — 24 см,"
                    " 39 — 25 см."),
        ("Возврат", "Вернуть можно в течение 14 дней."),
    ]  # fmt: skip
    shop = Answerer(toy_catalog(), Templates.load(), None, sections)
    assert "14 дней" in await shop.answer("если размер не подойдёт, можно вернуть?", None)
    assert "маломерят" in await shop.answer("кроссовки маломерят?", None)
    assert "маломерят" in await shop.answer("у меня стопа 24 см, какой размер брать?", None)
    assert await shop.answer("а размер есть?", None) == shop.t.get("answer_which_model")


def test_a_message_is_cut_into_its_questions() -> None:
    assert split_questions("сколько доставка по Алматы и можно ли в рассрочку?") == [
        "сколько доставка по Алматы",
        "можно ли в рассрочку",
    ]
    assert split_questions("есть 38 и 39?") == ["есть 38 и 39"]
    assert split_questions("Доставка в Астану?\nа вернуть можно") == [
        "Доставка в Астану",
        "вернуть можно",
    ]
    assert split_questions("?? 😍") == []


def test_rare_words_weigh_more_than_common_ones() -> None:
    index = ScriptIndex(SECTIONS)
    scores = index.scores("возврат в течение недели")
    assert max(scores, key=lambda topic: scores[topic][0]) == "Возврат"


def test_best_paragraph_picks_the_one_about_the_question() -> None:
    section = "\n".join(SECOND_SHOP_SCRIPTS["Доставка"])
    assert best_paragraph(section, "доставка по Казахстану почтой").startswith("По Казахстану")


# -- shop facts in templates ------------------------------------------------------------


def test_a_shop_without_a_name_is_never_named() -> None:
    templates = Templates.load()
    assert templates.shop is None and templates.assistant == "Алина"
    greetings = {templates.pick(random.Random(n), "greeting", name="") for n in range(40)}
    assert greetings and not any("«" in g or "None" in g for g in greetings)
    thanks = {templates.pick(random.Random(n), "confirmed") for n in range(40)}
    assert not any("«" in t or "Kaspi" in t for t in thanks)
    single = Templates({"x": "Спасибо! Ждём вас в «{shop}» снова.", "assistant": "Алина"})
    assert single.pick(random.Random(1), "x") == "Спасибо!"


def test_a_named_shop_is_named_by_its_own_files() -> None:
    templates = Templates.load().with_names("Qadam", "Дана")
    greetings = {templates.pick(random.Random(n), "greeting", name="") for n in range(40)}
    assert any("«Qadam»" in g for g in greetings)
    assert all("Алина" not in g for g in greetings)


def test_the_summary_states_delivery_only_from_the_shops_facts() -> None:
    slots = OrderSlots(product=BAG, color="черный", city="Шымкент", address="Тауке хана 5")
    with_facts = OfflinePhraser(Templates.load(), toy_catalog(), SHOP)
    without = OfflinePhraser(Templates.load(), toy_catalog())
    assert "Доставка" not in without.summary(slots)
    assert "• Доставка: 1 день" in with_facts.summary(slots)
    elsewhere = with_facts.summary(slots.model_copy(update={"city": "Уральск"}))
    assert "• Доставка: 3–6 дней, 2 000 ₸" in elsewhere
    assert "Доставка" not in OfflinePhraser(
        Templates.load(), toy_catalog(), ShopInfo(delivery=[{"where": "Шымкент", "days": "1 день"}])
    ).summary(slots.model_copy(update={"city": "Уральск"}))


def test_an_order_above_the_free_threshold_is_told_delivery_is_free() -> None:
    catalog = toy_catalog()
    catalog.products[BAG] = catalog.products[BAG].model_copy(update={"price": 45000})
    phraser = OfflinePhraser(Templates.load(), Catalog(catalog.products.values(), Stock([
        Variant(BAG, None, "черный", 2, 45000)])), SHOP)  # fmt: skip
    slots = OrderSlots(product=BAG, color="черный", city="Шымкент")
    assert "• Доставка: 1 день, бесплатно (заказ от 30 000 ₸)" in phraser.summary(slots)


def test_a_shops_older_summary_template_loses_its_delivery_line_without_facts() -> None:
    templates = Templates(
        {**Templates.load().data, "summary": "Заказ:\n{lines}\nДоставка: {delivery}"}
    )
    slots = OrderSlots(product=BAG, color="черный", city="Уральск")
    assert "Доставка" not in OfflinePhraser(templates, toy_catalog()).summary(slots)
    assert (
        OfflinePhraser(templates, toy_catalog(), SHOP)
        .summary(slots)
        .endswith("Доставка: 3–6 дней, 2 000 ₸")
    )


def test_the_category_list_names_what_this_shop_sells_most_first() -> None:
    phraser = OfflinePhraser(Templates.load(), toy_catalog())
    assert phraser.kinds == "ботильоны, лоферы, сумки и ремни"
    variants = [v for v in toy_variants() if v.product_id != BAG]
    assert "сумки" not in OfflinePhraser(Templates.load(), toy_catalog(variants)).kinds


def test_a_shops_older_replies_file_gets_the_templates_added_since(tmp_path) -> None:
    (tmp_path / "replies.yaml").write_text(
        "shop: Qadam\n"
        "greeting: ['Сәлеметсіз бе{name}! Это {assistant} из «{shop}»']\n"
        "delivery: {home_city: Алматы, home: 'курьером, 1–2 дня', country: '2–5 дней'}\n",
        encoding="utf-8",
    )
    templates = Templates.load(tmp_path)
    assert templates.pick(random.Random(1), "greeting", name="") == (
        "Сәлеметсіз бе! Это Алина из «Qadam»"
    )
    assert templates.get("answer_kind_list") == Templates.load().get("answer_kind_list")
    phraser = OfflinePhraser(templates, toy_catalog(), SHOP)
    slots = OrderSlots(product=BAG, color="черный", city="Уральск")
    assert "• Доставка: 3–6 дней, 2 000 ₸" in phraser.summary(slots)
    assert "1–2 дня" not in phraser.summary(slots)


# -- unseen-shop review: what a reply says, and only once -------------------------------------

SNEAKER_SCRIPTS = [
    (
        "Доставка",
        "По Алматы курьером за 1 день, 1 000 ₸.\nВ другие города Казахстана 3–5 дней, 2 000 ₸."
        "\nПри заказе от 40 000 ₸ доставка бесплатная.",
    ),
    (
        "Размеры",
        "Подберите размер по таблице:\n36 — 23 см\n37 — 23,5 см\n38 — 24 см\nКроссовки Dash "
        "маломерят, берите на полразмера больше. Кеды Pola идут в размер.",
    ),
    ("Шоурум", "Шоурум в Астане: ТЦ Хан Шатыр, 2 этаж, ежедневно с 10:00 до 22:00."),
]


def sneaker_shop(scripts: list[tuple[str, str]] = SNEAKER_SCRIPTS) -> Answerer:
    """Two sneaker brands, a canvas shoe, a bag and a belt; half sizes; delivery with a
    free-delivery threshold stated for no place."""
    shoes, bag, belt = ProductType.SHOES, ProductType.BAG, ProductType.ACCESSORY
    products = [
        Product(id="run", name="Кроссовки Dash Run", type=shoes, brand="Dash", price=42000),
        Product(id="city", name="Кроссовки Dash City", type=shoes, brand="Dash", price=47000),
        Product(id="canvas", name="Кеды Pola Canvas", type=shoes, brand="Pola", price=19000),
        Product(id="tote", name="Сумка Pola Tote", type=bag, brand="Pola", price=28000),
        Product(id="belt", name="Ремень Orsa", type=belt, brand="Orsa", price=9000),
    ]
    shoes_ids = ("run", "city", "canvas")
    variants = [Variant(p, s, "белый", 2) for p in shoes_ids for s in ("36.5", "37")]
    variants += [Variant(p, None, "черный", 1) for p in ("tote", "belt")]
    catalog = Catalog(products, Stock(variants))
    return Answerer(catalog, Templates.load(), None, scripts, derive_shop_info(scripts))


async def test_a_threshold_stated_for_no_place_is_the_answer_to_from_what_sum():
    shop = sneaker_shop()
    for city in ("Алматы", "Павлодар", None):
        answer = await shop.answer("а от какой суммы бесплатно?", None, city=city)
        assert answer == "Доставка бесплатная при заказе от 40 000 ₸.", city
    reply = await shop.reply("а бесплатно от скольки?", None, before="сколько доставка в Алматы?")
    assert reply.text == "Доставка бесплатная при заказе от 40 000 ₸."


async def test_a_city_said_beside_a_question_brings_no_delivery_or_showroom():
    shop = sneaker_shop()
    for message in ("Астана. какие кеды есть?", "какие кеды есть? я из астаны"):
        answer = await shop.answer(message, None)
        assert "Кеды Pola Canvas" in answer, message
        assert not any(word in answer for word in ("Шоурум", "Доставка", "₸.")), answer
    reply = await shop.reply("Алматы. кроссовки даш. а они маломерят?", None)
    assert reply.text == "Кроссовки Dash маломерят, берите на полразмера больше."
    # after a delivery question a bare city is one too
    follow = await shop.reply("а в Павлодар?", None, before="доставка по Алматы сколько?")
    assert "3–5 дней, 2 000 ₸" in follow.text


async def test_one_fact_is_said_once_and_a_list_ends_its_line():
    shop = sneaker_shop()
    reply = await shop.reply("кеды пола есть? сколько стоят?", "canvas")
    assert reply.text.count("Кеды Pola Canvas") == 1 and reply.text.count("19 000") == 1
    both = await shop.answer("какие кеды есть? и можно в рассрочку? доставка в павлодар?", None)
    assert "• Кроссовки Dash City — 47 000 ₸\nДоставка в город Павлодар" in both


async def test_a_brand_not_carried_gets_the_brands_of_its_kind():
    shop = sneaker_shop()
    answer = await shop.answer("есть нью баланс?", None)
    assert answer == "New Balance у нас нет 🙏 Есть кроссовки других брендов: Dash и Pola."
    bags = await shop.answer("фурла есть?", None)
    assert bags.startswith("Furla у нас нет") and "Pola" in bags and "Dash" not in bags
    listed = await shop.reply("кроссовки найк есть?", None)
    assert listed.text.startswith("Nike у нас нет 🙏 Есть кроссовки других брендов:\n")
    assert set(listed.listed) == {"run", "city", "canvas"}


async def test_a_message_that_asks_nothing_still_hears_what_is_not_carried_and_the_budget():
    shop = sneaker_shop()
    furla = shop.remark("хочу сумку фурла")
    assert furla is not None and furla.text.startswith("Furla у нас нет")
    assert furla.listed == ("tote",) and not furla.asked
    budget = shop.remark("сумки до 30к")
    assert budget is not None and "Сумка Pola Tote — 28 000 ₸" in budget.text
    assert shop.remark("хочу кеды") is None and shop.remark("до 38 размера") is None


async def test_what_there_is_of_nothing_named():
    shop = sneaker_shop()
    everything = await shop.answer("что у вас есть?", None)
    assert everything.startswith("Сейчас в наличии:\n• кроссовки и кеды — 3 модели")
    assert "• сумки — 1 модель" in everything
    cheap = await shop.answer("есть что нибудь до 20 тысяч?", None)
    assert "Кеды Pola Canvas" in cheap and "Ремень Orsa" in cheap and "Dash" not in cheap
    after_kind = await shop.reply("а какие есть?", None, before="хочу кроссовки")
    assert "Кроссовки Dash Run" in after_kind.text
    chosen = await shop.answer("какие есть?", "run")
    assert chosen == "Кроссовки Dash Run: в наличии размеры 36,5 и 37."


async def test_size_advice_is_about_the_product_and_brings_its_table():
    shop = sneaker_shop()
    canvas = await shop.answer("а размер маломерит?", "canvas")
    assert canvas == "Кеды Pola идут в размер."
    run = await shop.answer("а они маломерят?", "run")
    assert "Dash маломерят" in run and "Pola" not in run
    table = await shop.answer("как подобрать размер?", None)
    assert "по таблице:\n36 — 23 см\n37 — 23,5 см\n38 — 24 см" in table
    untabled = sneaker_shop([("Размеры", "Измерьте стопу и сверьтесь с таблицей ниже:")])
    assert await untabled.answer("как подобрать размер?", None) is None


async def test_a_place_said_before_a_delivery_question_is_where_it_goes():
    shop = sneaker_shop()
    for message in (
        "в павлодар отправляете? за сколько дойдет? сколько стоит?",
        "Павлодар. сколько дней идет посылка?",
    ):
        assert await shop.answer(message, None) == (
            "Доставка в город Павлодар: 3–5 дней, 2 000 ₸, бесплатно при заказе от 40 000 ₸."
        ), message


async def test_two_facts_of_one_product_name_it_once():
    answer = await sneaker_shop().answer("сколько стоят? а какие цвета?", "canvas")
    assert answer == "Кеды Pola Canvas: 19 000 ₸. Есть белый."


async def test_what_else_there_is_after_a_product_is_chosen():
    shop = sneaker_shop()
    others = await shop.reply("а какие ещё есть?", "run", before="кроссовки даш ран 37")
    assert "Кроссовки Dash City" in others.text and "Dash Run" not in others.text
    stock = await shop.answer("кроссовки даш ран 37. есть?", "run")
    assert stock == "Кроссовки Dash Run: в наличии размеры 36,5 и 37."

"""Answers from catalog facts and sales scripts, and refusals for what the shop never wrote."""

from __future__ import annotations

from shops import SECOND_SHOP_SCRIPTS
from toyshop import SHOE, toy_catalog

from ottenok.answers import Answerer, ScriptIndex, best_paragraph
from ottenok.catalog import Catalog, Product
from ottenok.phrasing.templates import Templates

SECTIONS = [(topic, "\n".join(paragraphs)) for topic, paragraphs in SECOND_SHOP_SCRIPTS.items()]


def answerer(catalog: Catalog | None = None) -> Answerer:
    return Answerer(catalog or toy_catalog(), Templates.load(), None, SECTIONS)


async def test_script_questions_find_their_topic_without_word_vectors() -> None:
    ask = answerer().answer
    assert "2 000 ₸" in await ask("сколько стоит отправка почтой в другой город?", None)
    assert "Kaspi" in await ask("можно оплатить каспи?", None)
    assert "7 дней" in await ask("а вернуть можно, если не подойдут?", None)


async def test_questions_the_shop_never_wrote_about_get_no_answer() -> None:
    ask = answerer().answer
    assert await ask("у вас есть подарочные сертификаты?", None) is None
    assert await ask("какая завтра погода?", None) is None


async def test_product_facts_come_from_the_catalog() -> None:
    catalog = toy_catalog()
    catalog.products[SHOE] = Product(
        id=SHOE, name="Ботильоны Aster", type="shoes", material="натуральная замша", price=59900
    )
    ask = answerer(catalog).answer
    assert await ask("а из какого материала?", SHOE) == "Ботильоны Aster: натуральная замша."
    assert "36, 37, 38, 39 и 40" in await ask("какие размеры есть?", SHOE)
    assert "черный и бордовый" in await ask("в каких цветах есть?", SHOE)


def test_rare_words_weigh_more_than_common_ones() -> None:
    index = ScriptIndex(SECTIONS)
    scores = index.scores("возврат в течение недели")
    assert max(scores, key=lambda topic: scores[topic][0]) == "Возврат"


def test_best_paragraph_picks_the_one_about_the_question() -> None:
    section = "\n".join(SECOND_SHOP_SCRIPTS["Доставка"])
    assert best_paragraph(section, "доставка по Казахстану почтой").startswith("По Казахстану")

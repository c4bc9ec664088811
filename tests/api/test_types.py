"""Every field of the schema contract, checked against the seed article's real values."""

from __future__ import annotations

from tests.api.helpers import SEED, gql

ARTICLE = """
query ($slug: String!) {
  article(slug: $slug) {
    id slug title date year description tags
    intro introHtml: intro(format: HTML) introPlain: intro(format: PLAIN)
    summary summaryHtml: summary(format: HTML) summaryHeading
    body bodyHtml: body(format: HTML) bodyPlain: body(format: PLAIN)
    excerpt excerpt20: excerpt(length: 20) excerpt40: excerpt(length: 40)
    wordCount readingTimeMinutes
    headings { level text anchor line }
    source { path startLine endLine }
    sections { id heading }
    trends {
      id position label title anchor statusIntro statusPlain: statusIntro(format: PLAIN)
      source { path startLine endLine }
      article { slug }
      keyPoints { position label text textHtml: text(format: HTML) source { startLine endLine } }
      routes {
        id position label name intro pros cons prosHtml: pros(format: HTML)
        source { path startLine endLine } trend { position } article { slug }
      }
      advice { id position title text source { startLine } trend { title } article { slug } }
      sections { id heading }
    }
  }
}
"""


def seed_article(client) -> dict:
    return gql(client, ARTICLE, {"slug": "2024-ai-trends"})["data"]["article"]


def test_article_scalars(seed_client):
    a = seed_article(seed_client)
    assert a["slug"] == "2024-ai-trends"
    assert a["title"] == "2024 年人工智能领域的三大发展趋势分析"
    assert a["date"] == "2025-02-18"
    assert a["year"] == 2025
    assert a["description"] == "Generated from 2025-02-17.md"
    assert a["tags"] == []
    assert a["intro"].startswith("2024 年，人工智能领域持续蓬勃发展")
    assert a["introHtml"].startswith("<p>") and "蓬勃发展" in a["introHtml"]
    assert "<" not in a["introPlain"]
    assert a["summaryHeading"] == "总结"
    assert a["summary"].startswith("2024 年人工智能领域的三大发展趋势——生成式 AI 的场景化扩展")
    assert a["summary"].endswith("才能在这一快速变化的领域中保持竞争力。")
    assert "<p>" in a["summaryHtml"]
    assert a["body"].startswith("# 2024 年人工智能领域的三大发展趋势分析")
    assert "```" not in a["body"]  # unwrapped from the fence
    assert "<h2" in a["bodyHtml"] and "<script" not in a["bodyHtml"]
    assert "##" not in a["bodyPlain"]
    assert a["wordCount"] > 500 and a["readingTimeMinutes"] >= 1
    assert a["source"]["path"] == SEED.name and a["source"]["startLine"] == 1
    assert a["source"]["endLine"] == len(SEED.read_text("utf-8").splitlines())
    assert a["sections"] == []


def test_excerpt_is_a_prefix_of_the_plain_intro(seed_client):
    a = seed_article(seed_client)
    assert a["excerpt40"] == "2024 年，人工智能领域持续蓬勃发展，涌现出众多技术创新与应用突破。"
    assert a["excerpt20"].endswith("…") and len(a["excerpt20"]) <= 20
    assert a["introPlain"].startswith(a["excerpt20"][:-1].rstrip())
    assert len(a["excerpt"]) <= 200
    # The default length fits whole sentences: it ends at a sentence end.
    assert a["excerpt"] == "2024 年，人工智能领域持续蓬勃发展，涌现出众多技术创新与应用突破。以下将从具体技术领域出发，分析 2024 年人工智能的三大发展趋势，并比较不同技术路线的优劣，最后为开发者提供切实可行的建议。"


def test_headings(seed_client):
    headings = seed_article(seed_client)["headings"]
    assert [h["level"] for h in headings].count(2) == 4  # three trends and the summary
    assert headings[0] == {"level": 1, "text": "2024 年人工智能领域的三大发展趋势分析",
                           "anchor": headings[0]["anchor"], "line": headings[0]["line"]}
    lines = SEED.read_text("utf-8").splitlines()
    for h in headings:
        assert lines[h["line"] - 1].lstrip("#").strip() == h["text"]
    assert headings[-1]["text"] == "总结"


def test_trends(seed_client):
    trends = seed_article(seed_client)["trends"]
    assert [t["position"] for t in trends] == [1, 2, 3]
    assert [t["label"] for t in trends] == ["一", "二", "三"]
    assert [t["title"] for t in trends] == [
        "生成式 AI 的深度扩展与场景化应用",
        "AI 芯片的创新与算力竞争升级",
        "AI 安全与伦理的前沿探索",
    ]
    first = trends[0]
    assert first["statusPlain"].startswith("生成式 AI（Generative AI）在自然语言处理")
    assert first["article"] == {"slug": "2024-ai-trends"}
    lines = SEED.read_text("utf-8").splitlines()
    assert lines[first["source"]["startLine"] - 1] == "## 一、生成式 AI 的深度扩展与场景化应用"
    assert all(t["sections"] == [] for t in trends)


def test_key_points(seed_client):
    trends = seed_article(seed_client)["trends"]
    assert [len(t["keyPoints"]) for t in trends] == [3, 3, 3]
    kp = trends[0]["keyPoints"]
    assert [k["position"] for k in kp] == [1, 2, 3]
    assert [k["label"] for k in kp] == ["多模态生成能力的全面提升", "行业场景化应用的深化",
                                       "生成质量与效率的优化"]
    assert kp[0]["text"].startswith("以 OpenAI 的 GPT-4 和 Google DeepMind 的 Gemini 为代表")
    assert kp[0]["textHtml"].count("<p>") <= 1
    assert trends[1]["keyPoints"][0]["label"] == "专用芯片的崛起"
    lines = SEED.read_text("utf-8").splitlines()
    assert "多模态生成能力的全面提升" in lines[kp[0]["source"]["startLine"] - 1]


def test_routes_pros_and_cons(seed_client):
    trends = seed_article(seed_client)["trends"]
    assert [len(t["routes"]) for t in trends] == [2, 2, 2]
    big, small = trends[0]["routes"]
    assert (big["position"], big["label"], big["name"]) == (1, "a", "大模型优先路线")
    assert big["pros"] == ["大规模模型（如 GPT-4 或 Claude）具备更强的泛化能力和知识储备，适用于多种任务。"]
    assert big["cons"] == ["高昂的计算成本和资源消耗限制了其普及性，且在细分领域可能欠缺针对性。"]
    assert (small["position"], small["label"], small["name"]) == (2, "b", "小模型专用路线")
    assert small["pros"] == ["通过微调小型模型（如 LLaMA 或 Mistral），开发者可以针对特定行业或场景进行优化，成本低且效果更精准。"]
    assert small["cons"] == ["小模型的泛化能力较差，难以应对复杂任务。"]
    assert big["prosHtml"][0].startswith("<") and "GPT-4" in big["prosHtml"][0]
    cloud, edge = trends[1]["routes"]
    assert cloud["cons"] == ["对网络连接依赖较强，存在数据延迟和隐私问题。"]
    assert edge["pros"] == ["边缘 AI 芯片可实现本地推理，降低数据传输成本并增强隐私保护。"]
    assert [r["name"] for r in trends[2]["routes"]] == ["主动防御路线", "被动监测路线"]
    assert big["trend"] == {"position": 1} and big["article"] == {"slug": "2024-ai-trends"}
    assert big["intro"] is None  # absent: null, not ""
    lines = SEED.read_text("utf-8").splitlines()
    assert lines[big["source"]["startLine"] - 1] == "#### a. 大模型优先路线"


def test_advice(seed_client):
    trends = seed_article(seed_client)["trends"]
    assert [len(t["advice"]) for t in trends] == [3, 3, 3]
    advice = trends[0]["advice"]
    assert [a["position"] for a in advice] == [1, 2, 3]
    assert [a["title"] for a in advice] == ["选择合适的模型规模", "关注多模态技术", "重视隐私与合规性"]
    assert advice[2]["text"] == ("生成式 AI 在医疗、金融等领域的应用需严格遵守数据隐私和行业法规，"
                                 "开发者应在训练时使用隐私增强技术（如差分隐私）。")
    assert trends[2]["advice"][1]["title"] == "引入偏见检测机制"
    assert advice[0]["trend"] == {"title": "生成式 AI 的深度扩展与场景化应用"}
    assert advice[0]["article"] == {"slug": "2024-ai-trends"}


def test_unknown_slug_is_null_not_error(seed_client):
    body = gql(seed_client, '{ article(slug: "no-such-article") { id } }')
    assert body["data"] == {"article": None}


def test_facets(content_client):
    body = gql(content_client, "{ tags { name count } years { year count } "
                               "articles { totalCount nodes { tags year } } }")
    data = body["data"]
    expected_tags: dict[str, int] = {}
    expected_years: dict[int, int] = {}
    for a in data["articles"]["nodes"]:
        for tag in a["tags"]:
            expected_tags[tag] = expected_tags.get(tag, 0) + 1
        expected_years[a["year"]] = expected_years.get(a["year"], 0) + 1
    assert {t["name"]: t["count"] for t in data["tags"]} == expected_tags
    assert expected_tags  # the committed content has tags
    assert {y["year"]: y["count"] for y in data["years"]} == expected_years
    assert [y["year"] for y in data["years"]] == sorted(expected_years, reverse=True)
    counts = [t["count"] for t in data["tags"]]
    assert counts == sorted(counts, reverse=True)


def test_text_formats_differ(seed_client):
    body = gql(seed_client, '{ article(slug: "2024-ai-trends") { trends { keyPoints { '
                            'md: text html: text(format: HTML) plain: text(format: PLAIN) } } } }')
    kp = body["data"]["article"]["trends"][0]["keyPoints"][0]
    assert kp["plain"] in kp["md"] or kp["md"] == kp["plain"]
    assert kp["html"] != kp["plain"]

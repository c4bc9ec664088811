"""A deterministic corpus of synthetic, seed-shaped articles.

Every article has the structure of ``content/2024-ai-trends.md``: YAML
frontmatter (title, date, description, optional tags), an optional
```` ```markdown```` fence around the body, an H1, an intro, 2 to 5 numbered H2
trends, each with a status H3 (intro and bold key points), a routes H3 (H4
``a. name`` routes with pros and cons bullets) and an advice H3 (an ordered
list of bold-titled items), then a closing summary H2. Two articles in three
are Chinese, one in three English.

Article ``i`` depends only on ``(seed, i)``, so any single article can be
regenerated on its own, and the same arguments always give the same bytes.

Marker terms occur at known frequencies, and nowhere else, because the filler
vocabulary never contains their characters (``check_vocabulary`` proves it):

* ``芯片`` in every Chinese article whose index is a multiple of 5, in the
  intro and in the cons of the first route of the first trend;
* ``隐私`` in every Chinese article whose index is a multiple of 7, in the
  text of the last advice item of the first trend;
* ``latency`` in every English article whose index is a multiple of 4, in
  the intro and in the cons of the first route of the first trend;
* ``privacy`` in every English article whose index is a multiple of 7, in
  the text of the last advice item of the first trend.

``expected_slugs(term, count)`` gives the articles that contain a marker.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import os
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

DEFAULT_COUNT = 1_000
DEFAULT_SEED = 2024

# term -> (language, period): the term occurs in article i iff the article
# is in that language and i % period == 0.
MARKERS: dict[str, tuple[str, int]] = {
    "芯片": ("zh", 5),
    "隐私": ("zh", 7),
    "latency": ("en", 4),
    "privacy": ("en", 7),
}

ZH_NUMERALS = "一二三四五六七八九十"

ZH = {
    "domains": ["生成式 AI", "大语言模型", "多模态模型", "边缘计算", "自动驾驶", "机器人技术",
                "数据治理", "模型压缩", "强化学习", "知识图谱", "智能客服", "代码生成",
                "推荐系统", "向量数据库", "联邦学习", "云原生平台", "开源生态", "语音交互"],
    "changes": ["深度扩展与场景化应用", "创新与竞争升级", "前沿探索", "规模化落地",
                "标准化进程", "成本下降与普及", "安全与合规挑战", "工程化实践"],
    "fields": ["医疗", "教育", "金融", "制造", "零售", "游戏开发", "物流", "能源", "政务", "农业"],
    "subjects": ["推理效率", "训练成本", "部署方式", "行业应用", "开发工具", "评测体系",
                 "数据质量", "模型架构", "能耗水平", "交互体验", "工具链", "人才结构"],
    "verbs": ["全面提升", "持续优化", "快速普及", "显著降低", "逐步成熟", "深度融合", "加速演进"],
    "results": ["突破性进展", "稳步发展", "明显成效", "广泛关注", "初步成果"],
    "companies": ["OpenAI", "Google", "NVIDIA", "Meta", "Anthropic", "Mistral", "Qualcomm", "IBM"],
    "products": ["GPT-4", "Gemini", "H100", "LLaMA", "Claude", "TPU v5", "Watson", "Snapdragon"],
    "routes": ["大模型优先", "小模型专用", "云端计算优先", "边缘计算优先", "主动防御", "被动监测",
               "开源优先", "闭源商用", "端到端", "模块化", "自研平台", "托管服务"],
    "advice": ["选择合适的模型规模", "关注多模态技术", "重视合规性", "评估应用场景",
               "学习硬件优化技术", "关注开源社区", "建立评测流程", "控制推理成本",
               "完善数据管道", "培养跨学科团队"],
    "tags": ["人工智能", "趋势", "大模型", "开发者", "算力", "安全", "开源"],
}

EN = {
    "domains": ["Generative AI", "Large language models", "Multimodal models", "Edge computing",
                "Autonomous driving", "Robotics", "Data governance", "Model compression",
                "Reinforcement learning", "Knowledge graphs", "Code generation",
                "Recommender systems", "Vector databases", "Federated learning"],
    "changes": ["deepens and specialises", "scales into production", "faces new regulation",
                "gets cheaper", "consolidates", "meets its limits", "becomes a commodity"],
    "fields": ["healthcare", "education", "finance", "manufacturing", "retail", "logistics",
               "energy", "games", "government", "agriculture"],
    "subjects": ["Inference efficiency", "Training cost", "Deployment", "Tooling", "Evaluation",
                 "Data quality", "Model architecture", "Energy use", "User experience"],
    "verbs": ["improves sharply", "keeps getting better", "spreads quickly", "drops steadily",
              "matures", "converges"],
    "companies": ["OpenAI", "Google", "NVIDIA", "Meta", "Anthropic", "Mistral", "Qualcomm", "IBM"],
    "products": ["GPT-4", "Gemini", "H100", "LLaMA", "Claude", "TPU v5", "Watson", "Snapdragon"],
    "routes": ["Large models first", "Small specialised models", "Cloud first", "Edge first",
               "Active defence", "Passive monitoring", "Open source first", "Closed commercial",
               "End to end", "Modular pipeline", "Build in house", "Managed service"],
    "advice": ["Pick the right model size", "Learn the multimodal stack", "Take compliance seriously",
               "Start from the use case", "Learn hardware optimisation", "Follow the open community",
               "Build an evaluation loop", "Watch inference cost", "Fix the data pipeline first"],
    "tags": ["ai", "trends", "llm", "developers", "compute", "security", "open-source"],
}

# Characters that only marker terms may use in Chinese text, and words that
# only marker terms may use in English text.
ZH_RESERVED = "芯隐"
EN_RESERVED = ("latency", "privacy")


@dataclass(frozen=True)
class Article:
    index: int
    slug: str
    language: str  # "zh" or "en"
    text: str  # the whole file, frontmatter included

    @property
    def filename(self) -> str:
        return f"{self.slug}.md"


def language_of(index: int) -> str:
    return "en" if index % 3 == 2 else "zh"


def has_marker(term: str, index: int) -> bool:
    language, period = MARKERS[term]
    return language_of(index) == language and index % period == 0


def expected_slugs(term: str, count: int, seed: int = DEFAULT_SEED) -> list[str]:
    """Slugs of the articles among the first ``count`` that contain a marker term."""
    return [slug_of(i, seed) for i in range(count) if has_marker(term, i)]


def slug_of(index: int, seed: int = DEFAULT_SEED) -> str:
    year = 2019 + random.Random(f"{seed}:{index}:year").randrange(6)
    return f"{year}-ai-trends-{language_of(index)}-{index:05d}"


# --- Random helpers ---------------------------------------------------------
# random.choice and randint cost several Python calls each; these cost one C
# call, which makes 10,000 articles take seconds instead of tens of seconds.

def _pick(r: random.Random, seq):
    return seq[int(r.random() * len(seq))]


def _between(r: random.Random, low: int, high: int) -> int:
    return low + int(r.random() * (high - low + 1))


POOL_SIZE = 2048


@functools.lru_cache(maxsize=8)
def _sentences(seed: int, language: str) -> tuple[str, ...]:
    """A fixed pool of filler sentences; paragraphs draw from it by index."""
    r = random.Random(f"{seed}:pool:{language}")
    make = _zh_sentence if language == "zh" else _en_sentence
    words = ZH if language == "zh" else EN
    return tuple(make(r, words) for _ in range(POOL_SIZE))


def _para(r: random.Random, pool: tuple[str, ...], low: int, high: int, sep: str) -> str:
    return sep.join(pool[int(r.random() * POOL_SIZE)] for _ in range(_between(r, low, high)))


# --- Filler sentences -------------------------------------------------------

def _zh_sentence(r: random.Random, w: dict) -> str:
    p = _pick
    templates = (
        lambda: f"{p(r, w['subjects'])}在{p(r, w['fields'])}、{p(r, w['fields'])}等领域取得了{p(r, w['results'])}。",
        lambda: f"以 {p(r, w['companies'])} 的 {p(r, w['products'])} 为代表，{p(r, w['subjects'])}正在{p(r, w['verbs'])}。",
        lambda: f"例如，在{p(r, w['fields'])}行业中，{p(r, w['domains'])}可辅助完成大量重复工作；{p(r, w['subjects'])}也随之{p(r, w['verbs'])}。",
        lambda: f"{_between(r, 2019, 2025)} 年，{p(r, w['domains'])}的{p(r, w['subjects'])}{p(r, w['verbs'])}，同时{p(r, w['subjects'])}不断提升。",
        lambda: f"开发者需要在{p(r, w['subjects'])}与{p(r, w['subjects'])}之间取得平衡，才能在{p(r, w['fields'])}场景中落地。",
    )
    return p(r, templates)()


def _en_sentence(r: random.Random, w: dict) -> str:
    p = _pick
    templates = (
        lambda: f"{p(r, w['subjects'])} {p(r, w['verbs'])} in {p(r, w['fields'])} and {p(r, w['fields'])}.",
        lambda: f"Led by {p(r, w['companies'])} and its {p(r, w['products'])}, work on {p(r, w['domains']).lower()} {p(r, w['verbs'])}.",
        lambda: f"In {p(r, w['fields'])}, teams now use {p(r, w['domains']).lower()} for routine work, and {p(r, w['subjects']).lower()} {p(r, w['verbs'])}.",
        lambda: f"By {_between(r, 2019, 2025)}, {p(r, w['subjects']).lower()} had become the main concern of most teams.",
        lambda: f"Developers must balance {p(r, w['subjects']).lower()} against {p(r, w['subjects']).lower()} to ship in {p(r, w['fields'])}.",
    )
    return p(r, templates)()


# --- Language styles ----------------------------------------------------------
# One generator writes both languages; a style holds what differs between them.

STYLES = {
    "zh": {
        "words": ZH, "sep": "", "colon": "：",
        "trend": lambda n, w, r: f"{ZH_NUMERALS[n - 1]}、{_pick(r, w['domains'])}的{_pick(r, w['changes'])}",
        "status": ("技术现状与发展方向", "技术现状与趋势"),
        "routes": ("技术路线对比",),
        "advice": ("对开发者的建议",),
        "route": lambda name: f"{name}路线",
        "pros": "优点", "cons": "缺点", "summary": "总结", "case": "典型案例",
        "lead": "这一趋势主要体现在以下几个方面：",
        "title": lambda n, w, r, year, i: f"{year} 年{_pick(r, w['domains'])}领域的{ZH_NUMERALS[n - 1]}大发展趋势分析（第 {i} 期）",
        "opening": lambda w, r, year: f"{year} 年，{_pick(r, w['domains'])}领域持续蓬勃发展。",
        "description": lambda w, r, year: f"{year} 年{_pick(r, w['fields'])}行业的技术趋势分析",
    },
    "en": {
        "words": EN, "sep": " ", "colon": ":",
        "trend": lambda n, w, r: f"{n}. {_pick(r, w['domains'])} {_pick(r, w['changes'])}",
        "status": ("Current state", "Where things stand", "Status"),
        "routes": ("Comparing approaches", "Routes"),
        "advice": ("Advice for developers", "Recommendations"),
        "route": lambda name: name,
        "pros": "Pros", "cons": "Cons", "summary": "Summary", "case": "Case study",
        "lead": " The main directions are:",
        "title": lambda n, w, r, year, i: f"{n} trends in {_pick(r, w['domains']).lower()} for {year} (issue {i})",
        "opening": lambda w, r, year: f"In {year}, {_pick(r, w['domains']).lower()} kept moving fast. ",
        "description": lambda w, r, year: f"Technology trends across {_pick(r, w['fields'])} in {year}",
    },
}

# Where each marker term is written: slot -> sentence appended to that slot.
MARKER_TEXT = {
    "芯片": {"intro": "算力需求的增长也对芯片供应提出了新的要求。",
             "cons": "该路线依赖高端芯片，供应紧张时成本较高。"},
    "隐私": {"advice": "训练时应使用差分隐私等技术保护用户数据。"},
    "latency": {"intro": " Serving latency became a first-class product metric.",
                "cons": " Network latency makes interactive use hard."},
    "privacy": {"advice": " Protect user privacy with differential privacy during training."},
}


def _markers(slot: str, index: int) -> str:
    return "".join(text[slot] for term, text in MARKER_TEXT.items()
                   if slot in text and has_marker(term, index))


# --- Article body ---------------------------------------------------------------

def _trend(r: random.Random, style: dict, pool, n: int, index: int) -> list[str]:
    w, sep, colon = style["words"], style["sep"], style["colon"]
    first = n == 1
    lines = [f"## {style['trend'](n, w, r)}", "",
             f"### {n}.1 {_pick(r, style['status'])}", "",
             _para(r, pool, 1, 2, sep) + style["lead"], ""]
    for _ in range(_between(r, 2, 4)):
        label = f"{_pick(r, w['subjects'])}{sep or '的'}{_pick(r, w['verbs'])}"
        lines.append(f"- **{label}**{colon}{sep}{_para(r, pool, 1, 2, sep)}")
    lines += ["", f"### {n}.2 {_pick(r, style['routes'])}", ""]
    for k, name in enumerate(r.sample(w["routes"], _between(r, 2, 3))):
        lines += [f"#### {'abc'[k]}. {style['route'](name)}", ""]
        for _ in range(1 + (r.random() < 0.25)):  # some routes have several pros
            lines.append(f"- **{style['pros']}**{colon}{sep}{_para(r, pool, 1, 1, sep)}")
        cons = _para(r, pool, 1, 1, sep) + (_markers("cons", index) if first and k == 0 else "")
        lines += [f"- **{style['cons']}**{colon}{sep}{cons}", ""]
    lines += [f"### {n}.3 {_pick(r, style['advice'])}", ""]
    items = r.sample(w["advice"], _between(r, 2, 4))
    for k, title in enumerate(items, 1):
        text = _para(r, pool, 1, 2, sep) + (_markers("advice", index) if first and k == len(items) else "")
        lines.append(f"{k}. **{title}**{colon}{sep}{text}")
    lines.append("")
    if r.random() < 0.05:  # an H3 of unknown role, kept by the loader as an extra section
        lines += [f"### {n}.4 {style['case']}", "", _para(r, pool, 2, 3, sep), ""]
    return lines


def _body(r: random.Random, style: dict, pool, index: int, year: int) -> tuple[str, list[str]]:
    w, sep = style["words"], style["sep"]
    trends = _between(r, 2, 5)
    title = style["title"](trends, w, r, year, index)
    intro = style["opening"](w, r, year) + _para(r, pool, 2, 3, sep) + _markers("intro", index)
    lines = [f"# {title}", "", intro, ""]
    for n in range(1, trends + 1):
        lines += _trend(r, style, pool, n, index)
        lines += ["---", ""]
    lines += [f"## {style['summary']}", "", _para(r, pool, 2, 3, sep)]
    return title, lines


# --- Assembly -------------------------------------------------------------

def make_article(index: int, seed: int = DEFAULT_SEED) -> Article:
    """Article number ``index`` of the corpus with this seed."""
    r = random.Random(f"{seed}:{index}")
    slug = slug_of(index, seed)
    year = int(slug[:4])
    language = language_of(index)
    style = STYLES[language]
    title, body = _body(r, style, _sentences(seed, language), index, year)
    description = style["description"](style["words"], r, year)
    date = dt.date(year + 1, 1, 1) + dt.timedelta(days=r.randrange(365))
    tags = r.sample((ZH if language == "zh" else EN)["tags"], r.randint(0, 3))
    front = ["---", f'title: "{title}"', f"date: {date.isoformat()}", f"description: {description}"]
    if tags:
        front.append("tags: [" + ", ".join(tags) + "]")
    front += ["---", ""]
    if r.random() < 0.7:  # most articles are fenced, like the seed
        body = ["```markdown", *body, "```"]
    return Article(index, slug, language, "\n".join(front + body) + "\n")


def generate(count: int = DEFAULT_COUNT, seed: int = DEFAULT_SEED):
    """Yield the first ``count`` articles of the corpus."""
    for i in range(count):
        yield make_article(i, seed)


def write_corpus(out_dir: Path, count: int = DEFAULT_COUNT, seed: int = DEFAULT_SEED) -> list[Path]:
    """Write ``<slug>.md`` files into ``out_dir`` and return their paths.

    Markdown files already in ``out_dir`` that are not part of this corpus are
    removed, so the folder holds exactly the corpus afterwards. The files are
    dated an hour back, as written by authors before a load: a file modified
    within two seconds of a load's reading is "racily clean" and hashed again
    by the next load (loader/load.py), which is not the steady state to time.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    written = time.time() - 3600
    for article in generate(count, seed):
        path = out_dir / article.filename
        path.write_text(article.text, encoding="utf-8")
        os.utime(path, (written, written))
        paths.append(path)
    keep = {p.name for p in paths}
    for stale in out_dir.glob("*.md"):
        if stale.name not in keep:
            stale.unlink()
    return paths


def edit_one(path: Path, stamp: str) -> None:
    """Change one article's text in place, keeping it valid (for reload timings)."""
    text = path.read_text(encoding="utf-8")
    fenced = text.endswith("```\n")
    if fenced:
        text = text[: -len("```\n")]
    text = text.rstrip("\n") + f" Edited {stamp}.\n"
    path.write_text(text + ("```\n" if fenced else ""), encoding="utf-8")


def check_vocabulary(seed: int = DEFAULT_SEED) -> list[str]:
    """Problems that would break the marker frequencies (empty when sound).

    Filler is made of vocabulary words and pooled sentences; neither may hold
    a reserved character or a marker word.
    """
    problems = []
    zh_filler = [word for words in ZH.values() for word in words] + list(_sentences(seed, "zh"))
    en_filler = [word for words in EN.values() for word in words] + list(_sentences(seed, "en"))
    problems += [f"zh filler {text!r} uses a reserved character"
                 for text in zh_filler if any(ch in text for ch in ZH_RESERVED)]
    problems += [f"en filler {text!r} contains a marker term"
                 for text in en_filler if any(term in text.lower() for term in EN_RESERVED)]
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.corpus", description=__doc__.split("\n")[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    paths = write_corpus(args.out_dir, args.count, args.seed)
    print(f"wrote {len(paths)} articles to {args.out_dir} in {time.perf_counter() - started:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

// Renders one article from the content API: trends, each trend's routes as a
// side-by-side pros/cons table, numbered advice, and a search box whose
// highlighted results link to their trend.  Plain ES module, no build step.

const params = new URLSearchParams(location.search);
const API = params.get("api") || "http://127.0.0.1:8000/graphql";
const SLUG = params.get("slug") || "2024-ai-trends";

const ARTICLE_QUERY = `query WebArticle($slug: String!) {
  article(slug: $slug) {
    title date tags readingTimeMinutes
    intro(format: PLAIN)
    trends {
      position title anchor
      statusIntro(format: PLAIN)
      keyPoints { position label text(format: PLAIN) }
      routes { position name pros(format: PLAIN) cons(format: PLAIN) }
      advice { position label text(format: PLAIN) }
    }
  }
}`;

const SEARCH_QUERY = `query WebSearch($query: String!) {
  search(query: $query, first: 10) {
    totalCount
    nodes {
      field snippet
      article { slug title }
      node {
        __typename
        ... on Trend { anchor }
        ... on KeyPoint { trend { anchor } }
        ... on Route { trend { anchor } }
        ... on Advice { trend { anchor } }
        ... on Section { sectionTrend: trend { anchor } }  # nullable there, so aliased
      }
    }
  }
}`;

async function graphql(query, variables) {
  const response = await fetch(API, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  const payload = await response.json();
  if (payload.errors && payload.errors.length) {
    throw new Error(payload.errors.map((e) => e.message).join("; "));
  }
  return payload.data;
}

// Build elements with textContent only: API text never becomes markup.
function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  for (const child of children) node.append(child);
  return node;
}

// The API's snippet is HTML whose matches are wrapped in <mark>.  Parse it in an
// inert document and copy over only text and <mark>, so nothing else (tags,
// attributes, scripts) can reach the page.
const DROPPED = new Set(["SCRIPT", "STYLE", "TEMPLATE", "NOSCRIPT", "TEXTAREA"]);

export function safeSnippet(html) {
  const inert = new DOMParser().parseFromString(`<body>${html}</body>`, "text/html");
  const fragment = document.createDocumentFragment();
  const copy = (source, target) => {
    for (const child of source.childNodes) {
      if (child.nodeType === Node.TEXT_NODE) {
        target.append(child.textContent);
      } else if (child.nodeName === "MARK") {
        target.append(el("mark", {}, child.textContent));
      } else if (child.nodeType === Node.ELEMENT_NODE && !DROPPED.has(child.nodeName)) {
        copy(child, target);
      }
    }
  };
  copy(inert.body, fragment);
  return fragment;
}

function list(items, ordered = false) {
  const node = el(ordered ? "ol" : "ul");
  for (const item of items) node.append(el("li", {}, item));
  return node;
}

function routesTable(routes) {
  const head = el("tr", {}, el("th", { scope: "col" }, "路线"));
  const pros = el("tr", {}, el("th", { scope: "row" }, "优点 Pros"));
  const cons = el("tr", {}, el("th", { scope: "row" }, "缺点 Cons"));
  for (const route of routes) {
    head.append(el("th", { scope: "col" }, route.name));
    pros.append(el("td", { class: "pros" }, list(route.pros)));
    cons.append(el("td", { class: "cons" }, list(route.cons)));
  }
  return el("table", { class: "routes" }, el("thead", {}, head), el("tbody", {}, pros, cons));
}

function adviceList(advice) {
  const node = el("ol", { class: "advice" });
  for (const item of advice) {
    const li = el("li", { value: String(item.position) });
    // Absent texts are null: a lead-in without text, text without a lead-in.
    if (item.label) li.append(el("strong", {}, item.label), item.text ? "：" : "");
    if (item.text) li.append(item.text);
    node.append(li);
  }
  return node;
}

function renderTrend(trend) {
  const section = el("section", { class: "trend", id: trend.anchor },
    el("h2", {}, `${trend.position}. ${trend.title}`),
    ...(trend.statusIntro ? [el("p", {}, trend.statusIntro)] : []),
    list(trend.keyPoints.map((point) => [point.label, point.text].filter(Boolean).join("："))));
  if (trend.routes.length) section.append(el("h3", {}, "路线对比"), routesTable(trend.routes));
  if (trend.advice.length) section.append(el("h3", {}, "建议"), adviceList(trend.advice));
  return section;
}

function renderArticle(article) {
  const main = document.getElementById("article");
  main.replaceChildren(
    el("h1", {}, article.title),
    el("p", { class: "meta" }, [article.date, `${article.readingTimeMinutes} min`, ...article.tags].join(" · ")),
    ...(article.intro ? [el("p", {}, article.intro)] : []),
    ...article.trends.map(renderTrend));
  main.setAttribute("aria-busy", "false");
  document.title = `${article.title} · content API web example`;
  // The page was built after load, so follow an anchor from the URL now.
  if (location.hash) document.getElementById(decodeURIComponent(location.hash.slice(1)))?.scrollIntoView();
}

function hitTarget(hit) {
  const trend = hit.node.trend || hit.node.sectionTrend;
  const anchor = hit.node.anchor || (trend && trend.anchor) || "";
  if (hit.article.slug === SLUG) return anchor ? `#${encodeURIComponent(anchor)}` : "#article";
  const url = new URL(location.href);
  url.searchParams.set("slug", hit.article.slug);
  url.hash = anchor;
  return url.toString();
}

async function search(term) {
  const results = document.getElementById("results");
  results.replaceChildren(el("li", {}, "Searching…"));
  try {
    const { search: found } = await graphql(SEARCH_QUERY, { query: term });
    results.replaceChildren(...found.nodes.map((hit) => el("li", { class: "hit" },
      el("span", { class: "kind" }, hit.node.__typename),
      el("a", { href: hitTarget(hit) }, safeSnippet(hit.snippet)))));
    if (!found.nodes.length) results.replaceChildren(el("li", {}, "No results."));
  } catch (error) {
    results.replaceChildren(el("li", { class: "error" }, `Search failed: ${error.message}`));
  }
}

document.getElementById("search").addEventListener("submit", (event) => {
  event.preventDefault();
  const term = new FormData(event.target).get("q").trim();
  if (term) search(term);
});

graphql(ARTICLE_QUERY, { slug: SLUG })
  .then((data) => {
    if (!data.article) throw new Error(`no article with slug ${SLUG}`);
    renderArticle(data.article);
  })
  .catch((error) => {
    const status = document.getElementById("status");
    status.className = "error";
    status.textContent = `Could not load the article from ${API}: ${error.message}`;
  });

window.contentApp = { safeSnippet };

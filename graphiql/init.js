// Starts GraphiQL from the UMD globals served by this app (see api/graphiql.py).
// Configuration comes from the JSON block in the page, so no inline script is
// needed and the page can keep a strict Content-Security-Policy.
(function () {
  "use strict";
  var mount = document.getElementById("graphiql");
  var config = JSON.parse(document.getElementById("graphiql-config").textContent);

  function explain(message) {
    // A visible, actionable message instead of a blank screen.
    mount.textContent = "";
    var box = document.createElement("div");
    box.style.cssText = "font-family: sans-serif; max-width: 42em; margin: 2em auto";
    var title = document.createElement("h1");
    title.textContent = "GraphiQL could not start";
    var text = document.createElement("p");
    text.textContent = message + " Reinstall the pinned assets with `make assets` and reload.";
    box.appendChild(title);
    box.appendChild(text);
    mount.appendChild(box);
  }

  var missing = ["React", "ReactDOM", "GraphiQL", "GraphiQLPluginExplorer"].filter(function (name) {
    return typeof window[name] === "undefined";
  });
  if (missing.length) {
    explain("These scripts did not load: " + missing.join(", ") + ".");
    return;
  }

  var fetcher = GraphiQL.createFetcher({ url: config.endpoint });
  var explorer = GraphiQLPluginExplorer.explorerPlugin();
  var root = ReactDOM.createRoot(mount);
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: config.defaultQuery,
      plugins: [explorer],
      defaultEditorToolbarTabs: "variables",
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
    })
  );
})();

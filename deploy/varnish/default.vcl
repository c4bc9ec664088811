vcl 4.1;

# The HTTP cache tier of content-api: Varnish 7.1 with the xkey vmod
# (Debian: varnish, varnish-modules), in front of read-only replicas.
#
# Replicas are declared in "replicas.vcl" (found on vcl_path), which defines
# one backend per replica with `.probe = replica_health` and, in vcl_init, a
# round-robin director named `replicas`. deploy/varnish/run writes it.
#
# What this file decides, and why:
# - Only GET/HEAD /graphql requests that name a persisted query or trusted
#   document, or carry a short query string, are cached; every other request
#   (POST, long queries, /healthz, GraphiQL) goes to a replica unchanged.
# - Freshness comes from the API's Cache-Control (max-age); objects are
#   revalidated with the API's ETag (If-None-Match), which changes only when
#   something the response read changed.
# - Each object carries the API's `xkey` header: a PURGE naming keys drops (or,
#   by default, soft-purges) exactly the objects that read them.
# - Stale objects: within `stale-while-revalidate` they are served while a
#   background fetch refreshes them; when every replica is down (probes) or a
#   fetch fails, they are served for up to `stale-if-error` (grace).
#   A soft-purged object is never served stale while a replica is up: the
#   request after a publish waits for the new version.

import std;
import directors;
import xkey;

# Health: /healthz answers 200 while the replica can serve its file. Two bad
# probes out of three (about 2 s) mark a replica sick.
probe replica_health {
    .request = "GET /healthz HTTP/1.1"
        "Host: replica"
        "Connection: close";
    .interval = 1s;
    .timeout = 2s;
    .window = 3;
    .threshold = 2;
    .initial = 2;
}

include "replicas.vcl";

# Who may purge: only this host (the publish step runs beside the cache).
acl purgers {
    "127.0.0.1";
    "::1";
}

# How long stale objects may be served when no replica answers, unless the
# API's Cache-Control says `stale-if-error=N`.
sub tier_default_stale_if_error {
    set beresp.grace = 1d;
}

sub vcl_recv {
    if (req.restarts == 0) {
        # Internal markers are ours alone; a client cannot set them.
        unset req.http.X-Tier-Fetch;
        unset req.http.X-Tier-Stale;
        unset req.http.X-Tier-Cache;
    }
    set req.backend_hint = replicas.backend();

    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Purging is allowed from this host only"));
        }
        if (!req.http.xkey) {
            return (synth(400, "Name the keys to purge in the xkey header"));
        }
        if (req.http.xkey-purge == "hard") {
            set req.http.X-Tier-Purged = xkey.purge(req.http.xkey);
        } else {
            set req.http.X-Tier-Purged = xkey.softpurge(req.http.xkey);
        }
        return (synth(200, "Purged " + req.http.X-Tier-Purged));
    }

    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    if (req.http.Authorization) {
        return (pass);
    }
    if (req.url ~ "^/schema\.graphql(\?|$)") {
        unset req.http.Cookie;
        return (hash);
    }
    if (req.url !~ "^/graphql\?") {
        return (pass);  # /healthz, GraphiQL and its assets
    }
    # A persisted-query hash (APQ extension), a trusted document id, or a query
    # string short enough to be a real client's: cached. Longer URLs are passed,
    # so that ad-hoc queries cannot fill the cache.
    if (req.url ~ "[?&](extensions=[^&]*persistedQuery|documentId=|doc_id=)"
            || (req.url ~ "[?&]query=" && req.url ~ "^.{1,2048}$")) {
        # The API reads no cookies; parameters in any order are one object.
        unset req.http.Cookie;
        set req.url = std.querysort(req.url);
        if (req.http.X-Tier-Fetch) {
            # vcl_hit asked for a fresh copy: no stale object satisfies this lookup.
            set req.grace = 0s;
        } elsif (req.http.X-Tier-Stale) {
            # That fetch failed: any stale object within its grace will do
            # (req.grace outlives a restart, so it is set again).
            set req.grace = 3650d;
        }
        return (hash);
    }
    return (pass);
}

sub vcl_hash {
    # Every replica serves the same API: the host name is not part of the key.
    hash_data(req.url);
    return (lookup);
}

sub vcl_hit {
    if (obj.ttl >= 0s) {
        set req.http.X-Tier-Cache = "hit";
        return (deliver);
    }
    # Stale from here on.
    set req.http.X-Tier-Cache = "stale";
    if (req.http.X-Tier-Stale || !std.healthy(req.backend_hint)) {
        return (deliver);  # stale-if-error: no replica can answer
    }
    # A soft purge sets the remaining TTL to the object's age at the purge, so
    # TTL plus age falls short of the TTL it was stored with (X-Tier-TTL).
    if (obj.ttl + obj.age + 0.01s >= std.duration(real=std.real(obj.http.X-Tier-TTL, 0.0))
            && obj.ttl + std.duration(real=std.real(obj.http.X-Tier-SWR, 0.0)) > 0s) {
        return (deliver);  # stale-while-revalidate: a background fetch refreshes it
    }
    # Purged, or past stale-while-revalidate, with replicas up: fetch now (the
    # stale object still makes it a conditional fetch).
    set req.http.X-Tier-Fetch = "now";
    return (restart);
}

sub vcl_miss {
    set req.http.X-Tier-Cache = "miss";
}

sub vcl_pass {
    set req.http.X-Tier-Cache = "pass";
}

sub vcl_backend_response {
    if (bereq.uncacheable) {
        return (deliver);
    }
    if (beresp.status >= 500) {
        if (bereq.is_bgfetch || bereq.http.X-Tier-Fetch) {
            # Keep the stale object (a finished fetch would retire it): served
            # in the background case, retried as stale-if-error otherwise.
            return (abandon);
        }
        set beresp.ttl = 0s;
        set beresp.uncacheable = true;
        return (deliver);
    }
    if (beresp.http.Cache-Control ~ "(?i)(no-store|no-cache|private)" || beresp.ttl <= 0s) {
        set beresp.ttl = 120s;
        set beresp.uncacheable = true;  # hit-for-miss: do not queue requests on it
        return (deliver);
    }
    # Varnish took the TTL from max-age and the grace from stale-while-revalidate
    # (or default_grace); remember both before grace becomes stale-if-error.
    set beresp.http.X-Tier-TTL = beresp.ttl;
    set beresp.http.X-Tier-SWR = beresp.grace;
    if (beresp.http.Cache-Control ~ "(?i)stale-if-error=[0-9]+") {
        set beresp.grace = std.duration(regsub(beresp.http.Cache-Control,
            "(?i)^.*stale-if-error=([0-9]+).*$", "\1") + "s", 1d);
    } else {
        call tier_default_stale_if_error;
    }
    if (beresp.grace < std.duration(real=std.real(beresp.http.X-Tier-SWR, 0.0))) {
        set beresp.grace = std.duration(real=std.real(beresp.http.X-Tier-SWR, 0.0));
    }
    # Past grace, an object is still kept to revalidate with If-None-Match.
    set beresp.keep = 1d;
    return (deliver);
}

sub vcl_backend_error {
    if (bereq.is_bgfetch || bereq.http.X-Tier-Fetch) {
        return (abandon);  # as for a 5xx above: the stale object stays
    }
}

# A fetch vcl_hit asked for failed (abandoned: a 503 here): look up again and
# serve the stale object (stale-if-error).
sub tier_stale_after_failed_fetch {
    if (resp.status >= 500 && req.http.X-Tier-Fetch && !req.http.X-Tier-Stale
            && req.restarts < 3) {
        unset req.http.X-Tier-Fetch;
        set req.http.X-Tier-Stale = "1";
        return (restart);
    }
}

sub vcl_deliver {
    call tier_stale_after_failed_fetch;
    set resp.http.X-Cache = req.http.X-Tier-Cache;
    unset resp.http.X-Tier-TTL;
    unset resp.http.X-Tier-SWR;
    # The keys are for this cache; clients do not need them.
    unset resp.http.xkey;
    unset resp.http.Via;
    unset resp.http.X-Varnish;
}

sub vcl_synth {
    call tier_stale_after_failed_fetch;
    if (req.method == "PURGE") {
        set resp.http.Content-Type = "text/plain; charset=utf-8";
        set resp.http.X-Purged = req.http.X-Tier-Purged;
        set resp.body = resp.reason + {"
"};
        return (deliver);
    }
}

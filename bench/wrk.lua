-- wrk script for the benchmark, driven by environment variables so that one
-- script serves every scenario:
--   BENCH_METHOD        GET or POST (default GET)
--   BENCH_BODIES        file with one request body per line (POST); requests
--                       cycle through the lines, so (a) can rotate slugs
--   BENCH_PATHS         file with one request path per line (GET), cycled
--   BENCH_IF_NONE_MATCH value of an If-None-Match header to send
--   BENCH_RESULT        file to write the summary to, as one JSON object
-- wrk runs this file once per thread and once more for done().

local method = os.getenv("BENCH_METHOD") or "GET"
local items = {}
local index = 0

local function read_lines(name)
  local lines = {}
  local f = assert(io.open(name, "rb"))
  for line in f:lines() do
    if #line > 0 then lines[#lines + 1] = line end
  end
  f:close()
  return lines
end

local bodies = os.getenv("BENCH_BODIES")
local paths = os.getenv("BENCH_PATHS")
if bodies then items = read_lines(bodies) elseif paths then items = read_lines(paths) end

local headers = {}
if method == "POST" then headers["Content-Type"] = "application/json" end
local inm = os.getenv("BENCH_IF_NONE_MATCH")
if inm then headers["If-None-Match"] = inm end

local threads = {}
-- Per thread: responses whose body carries GraphQL errors (a 200 can still be
-- a failure, e.g. a timeout), and responses with an unexpected status.
graphql_errors = 0
bad_status = 0

function setup(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
end

function init(args)
  -- Threads start at different lines so they do not request in lockstep.
  index = (thread_id or 0) * 7919
end

function request()
  index = index + 1
  local item = items[(index % #items) + 1]
  if bodies then
    return wrk.format(method, nil, headers, item)
  end
  return wrk.format(method, item, headers, nil)
end

function response(status, headers, body)
  if status ~= 200 and status ~= 304 then
    bad_status = bad_status + 1
  elseif body and string.find(body, '"errors"', 1, true) then
    graphql_errors = graphql_errors + 1
  end
end

function done(summary, latency, requests)
  local gql, bad = 0, 0
  for _, thread in ipairs(threads) do
    gql = gql + (thread:get("graphql_errors") or 0)
    bad = bad + (thread:get("bad_status") or 0)
  end
  local e = summary.errors
  local out = string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d, ' ..
    '"unexpected_status": %d, "graphql": %d}, ' ..
    '"latency_us": {"min": %d, "mean": %.1f, "p50": %d, "p90": %d, "p95": %d, "p99": %d, "max": %d}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout, bad, gql,
    latency.min, latency.mean, latency:percentile(50), latency:percentile(90),
    latency:percentile(95), latency:percentile(99), latency.max)
  local f = assert(io.open(os.getenv("BENCH_RESULT"), "w"))
  f:write(out)
  f:close()
end

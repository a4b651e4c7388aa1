-- upload.lua: a wrk script that uploads documents to one venue through
-- the owner API (POST /api/v1/venues/<venue>/documents, multipart).
--
--   SANILOG_VENUE  the venue id
--   SANILOG_TOKEN  its owner token (slo_...)
--   DOC_KB         the size of each document in KiB (default 100)
--
-- Each request carries a different PDF (its first bytes hold a counter
-- unique to the wrk thread and request), so every upload stores a new
-- document.  Only 201 answers count as acknowledged: the script prints
-- how many answers were not 201.
local venue = os.getenv("SANILOG_VENUE")
local token = os.getenv("SANILOG_TOKEN")
local kb = tonumber(os.getenv("DOC_KB") or "100")
local boundary = "sanilogboundary7d2f9a"

local threads = {}
local counter = 0
local not_created = 0
local before, after -- the body around the document's first line
local head_len = 27 -- that line's length (the format in request())

-- tid: each wrk thread's number (a global of that thread's Lua state)
function setup(thread)
	thread:set("tid", #threads)
	table.insert(threads, thread)
end

local function part(name, value)
	return "--" .. boundary .. "\r\nContent-Disposition: form-data; name=\""
		.. name .. "\"\r\n\r\n" .. value .. "\r\n"
end

function init(args)
	math.randomseed(tid * 7919 + 17)
	local chunk = {}
	for i = 1, 1024 do
		chunk[i] = string.char(math.random(32, 126))
	end
	local filler = string.rep(table.concat(chunk), kb)
	before = part("type", "sanitization")
		.. part("title", "Load test document")
		.. part("performed", "2026-11-20")
		.. "--" .. boundary .. "\r\nContent-Disposition: form-data; "
		.. "name=\"file\"; filename=\"doc.pdf\"\r\n"
		.. "Content-Type: application/pdf\r\n\r\n"
	after = filler:sub(1, kb * 1024 - head_len) .. "\r\n"
		.. "--" .. boundary .. "--\r\n"
	wrk.method = "POST"
	wrk.path = "/api/v1/venues/" .. venue .. "/documents"
	wrk.headers["Authorization"] = "Bearer " .. token
	wrk.headers["Content-Type"] = "multipart/form-data; boundary=" .. boundary
end

function request()
	counter = counter + 1
	-- head_len bytes: "%PDF-1.4\n% ", the thread, the request
	local head = string.format("%%PDF-1.4\n%% %06d %08d\n", tid, counter)
	return wrk.format(nil, nil, nil, before .. head .. after)
end

function response(status, headers, body)
	if status ~= 201 then
		not_created = not_created + 1
		if not_created <= 3 then
			io.stderr:write("upload.lua: " .. status .. ": " .. body .. "\n")
		end
	end
end

function done(summary, latency, requests)
	local bad = summary.errors.status
	io.write(string.format("acknowledged/s %.0f  non-201 %d  p50 %.1f ms  p99 %.1f ms\n",
		(summary.requests - bad) / (summary.duration / 1e6), bad,
		latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end

-- gui_check.lua - runs inside the Wireshark GUI started by test_gui.sh:
--   wireshark -X lua_script:gui_check.lua -X lua_script1:OUTFILE -Y FILTER ...
-- It writes to OUTFILE, one fact a line (TAB-separated):
--   gui        true|false        gui_enabled(): this is the Qt GUI
--   fields     ok|ERROR          the tcpfsm plugin's fields exist in it
--   frame      N EVENT STEP SRC_STATE DST_STATE
--              every frame that matches FILTER, with the tcpfsm fields the
--              plugin gave it in the GUI's own dissection
--   filter     TEXT              the main window's display filter
--   drawn      COUNT             the tap was drawn (the file was read)
-- The test compares them with tshark's answer for the same capture.
local args = { ... }
local out = assert(io.open(args[1], "w"))
local filter = args[2] or 'tcpfsm.event == "fin1"'

local function put(...)
    out:write(table.concat({ ... }, "\t"), "\n")
    out:flush()
end

put("gui", tostring(gui_enabled()))

local ok, f_event = pcall(Field.new, "tcpfsm.event")
local f_step, f_src, f_dst
if ok then
    f_step = Field.new("tcpfsm.step")
    f_src = Field.new("tcpfsm.src_state")
    f_dst = Field.new("tcpfsm.dst_state")
    put("fields", "ok")
else
    put("fields", "ERROR", tostring(f_event))
    return
end

local function val(f)
    local v = f()
    return v and tostring(v.value) or ""
end

local tap = Listener.new("frame", filter)
local seen = {}
local count = 0
function tap.packet(pinfo)
    -- the GUI dissects a frame more than once (reading, filtering,
    -- selecting): report each one once
    if seen[pinfo.number] then return end
    seen[pinfo.number] = true
    count = count + 1
    put("frame", pinfo.number, val(f_event), val(f_step), val(f_src), val(f_dst))
    local fok, text = pcall(get_filter)
    if fok and text then put("filter", text) end
end
function tap.draw()
    local fok, text = pcall(get_filter)
    if fok and text then put("filter", text) end
    put("drawn", count)
end
function tap.reset()
    seen = {}
    count = 0
end

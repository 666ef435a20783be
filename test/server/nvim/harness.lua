-- Headless Neovim end-to-end harness for ctxkit-language-server (Neovim 0.7 and later).
-- Usage: SERVER_JS=dist/server.js ROOT_DIR=<workspace> TARGET_FILE=<abs file> SCENARIO=<scenario.lua> \
--   nvim --headless -u NONE -i NONE -n -c 'luafile harness.lua'
-- A scenario file returns `function(H) ... end`; it drives the editor through the helpers below and ends with
-- H.finish(0, 'what passed') (or H.fail(...)). The exit status is the result; stdout is the log.
local H = {}
local t0 = vim.loop.hrtime()
function H.ms() return math.floor((vim.loop.hrtime() - t0) / 1e6) end
function H.out(s) io.stdout:write(s .. '\n'); io.stdout:flush() end

function H.finish(code, msg)
  H.out((code == 0 and 'PASS ' or 'FAIL ') .. msg .. string.format(' (%d ms)', H.ms()))
  for _, c in pairs(vim.lsp.get_active_clients()) do c.stop() end
  vim.wait(3000, function() return #vim.lsp.get_active_clients() == 0 end, 20)
  if code == 0 then vim.cmd('qall!') else vim.cmd('cquit ' .. code) end
end
function H.fail(code, msg) H.finish(code, msg); error('scenario failed: ' .. msg, 0) end

H.raw = {} -- the last LSP-format diagnostics per URI, as the server sent them

--- Opens `file` and attaches a client running the server; returns the buffer.
function H.start(file)
  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()
  local handlers = {
    ['textDocument/publishDiagnostics'] = function(e, result, ctx, config)
      H.raw[result.uri] = result.diagnostics
      return vim.lsp.handlers['textDocument/publishDiagnostics'](e, result, ctx, config)
    end,
    ['window/showMessage'] = function(_, result) H.out('server says: ' .. tostring(result.message)) end,
  }
  local config = { name = 'ctxkit', cmd = { 'node', vim.env.SERVER_JS, '--stdio' }, root_dir = vim.env.ROOT_DIR, handlers = handlers }
  if vim.lsp.start then
    H.client_id = vim.lsp.start(config, { bufnr = bufnr })
  else
    H.client_id = vim.lsp.start_client(config)
    vim.lsp.buf_attach_client(bufnr, H.client_id)
  end
  local v = vim.version()
  H.out(string.format('nvim %d.%d.%d, client %s started at %d ms', v.major, v.minor, v.patch, tostring(H.client_id), H.ms()))
  return bufnr
end

function H.client() return vim.lsp.get_client_by_id(H.client_id) end

--- Waits until the server's diagnostics for `bufnr` satisfy `pred(list)`; returns the list.
function H.wait_diagnostics(bufnr, pred, timeout, what)
  local uri = vim.uri_from_bufnr(bufnr)
  local ok = vim.wait(timeout or 30000, function() return H.raw[uri] ~= nil and pred(H.raw[uri]) end, 20)
  if not ok then H.fail(2, 'timed out waiting for ' .. (what or 'diagnostics')) end
  local list = H.raw[uri]
  H.out(string.format('diagnostics at %d ms: %d', H.ms(), #list))
  for _, d in ipairs(list) do
    H.out(string.format('  %d:%d %s [%s %s]', d.range.start.line + 1, d.range.start.character + 1, d.message, tostring(d.source), tostring(d.code)))
  end
  return list
end

function H.with_code(list, code)
  local out = {}
  for _, d in ipairs(list) do if d.code == code then table.insert(out, d) end end
  return out
end

--- textDocument/codeAction for a diagnostic (or a range); returns the actions.
function H.code_actions(bufnr, range, diagnostics)
  local params = { textDocument = { uri = vim.uri_from_bufnr(bufnr) }, range = range, context = { diagnostics = diagnostics or {} } }
  local responses = vim.lsp.buf_request_sync(bufnr, 'textDocument/codeAction', params, 15000)
  local actions = {}
  for _, resp in pairs(responses or {}) do
    if resp.error then H.fail(4, 'codeAction error: ' .. vim.inspect(resp.error)) end
    for _, a in ipairs(resp.result or {}) do table.insert(actions, a) end
  end
  for _, a in ipairs(actions) do H.out('  action: ' .. a.title .. (a.disabled and (' (disabled: ' .. a.disabled.reason .. ')') or '')) end
  return actions
end

--- codeAction/resolve when the action has no edit yet; returns the resolved action.
function H.resolve(bufnr, action)
  if action.edit then return action end
  local responses = vim.lsp.buf_request_sync(bufnr, 'codeAction/resolve', action, 30000)
  for _, resp in pairs(responses or {}) do
    if resp.error then H.fail(5, 'resolve error: ' .. vim.inspect(resp.error)) end
    if resp.result then return resp.result end
  end
  H.fail(5, 'no answer to codeAction/resolve')
end

function H.apply(action)
  if not action.edit then H.fail(6, 'action has no edit: ' .. vim.inspect(action.disabled)) end
  vim.lsp.util.apply_workspace_edit(action.edit, H.client().offset_encoding or 'utf-16')
end

function H.find(actions, prefix)
  for _, a in ipairs(actions) do
    if a.title:sub(1, #prefix) == prefix and not a.disabled then return a end
  end
end

--- Writes every modified buffer (the files a workspace edit touched).
function H.write_all() vim.cmd('silent wall') end

local ok, err = pcall(function()
  local scenario = dofile(vim.env.SCENARIO)
  scenario(H)
  H.finish(0, 'scenario ' .. vim.fn.fnamemodify(vim.env.SCENARIO, ':t'))
end)
if not ok then
  H.out('ERROR ' .. tostring(err))
  vim.cmd('cquit 9')
end

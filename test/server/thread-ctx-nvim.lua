-- Headless Neovim (0.7+) drives "Thread ctx" end to end: request code actions at a todo() marker, pick the action
-- by title, resolve it (codeAction/resolve) when it comes without an edit, apply the WorkspaceEdit (it spans files,
-- some not open), write every buffer, quit. The mocha test checks the files on disk.
-- Env: SERVER_JS, ROOT, TARGET_FILE, NEEDLE (text whose first character is the position), TITLE.
local t0 = vim.loop.hrtime()
local function ms() return math.floor((vim.loop.hrtime() - t0) / 1e6) end
local function out(s) io.stdout:write(s .. '\n') end
local function finish(code, msg)
  out((code == 0 and 'PASS ' or 'FAIL ') .. msg .. string.format(' (%d ms)', ms()))
  io.stdout:flush()
  for _, c in pairs(vim.lsp.get_active_clients()) do c.stop() end
  vim.wait(2000, function() return #vim.lsp.get_active_clients() == 0 end, 20)
  if code == 0 then vim.cmd('qall!') else vim.cmd('cquit ' .. code) end
end

local ok, err = pcall(function()
  vim.cmd('edit ' .. vim.fn.fnameescape(vim.env.TARGET_FILE))
  local bufnr = vim.api.nvim_get_current_buf()
  local uri = vim.uri_from_bufnr(bufnr)
  local published = {}
  local config = {
    name = 'ctxkit', cmd = { 'node', vim.env.SERVER_JS, '--stdio' }, root_dir = vim.env.ROOT,
    handlers = {
      ['textDocument/publishDiagnostics'] = function(e, result, ctx, cfg)
        published[result.uri] = true
        return vim.lsp.handlers['textDocument/publishDiagnostics'](e, result, ctx, cfg)
      end,
    },
  }
  local client_id
  if vim.lsp.start then
    client_id = vim.lsp.start(config, { bufnr = bufnr })
  else
    client_id = vim.lsp.start_client(config)
    vim.lsp.buf_attach_client(bufnr, client_id)
  end
  -- The server has the document once it publishes its diagnostics (push: Neovim 0.7 cannot pull).
  if not vim.wait(30000, function() return published[uri] end, 20) then return finish(2, 'no diagnostics within 30 s') end
  out(string.format('diagnostics published at %d ms', ms()))

  local line, col
  for i, text in ipairs(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)) do
    local at = string.find(text, vim.env.NEEDLE, 1, true)
    if at then line, col = i - 1, at - 1; break end
  end
  if not line then return finish(3, 'needle not found: ' .. vim.env.NEEDLE) end
  local pos = { line = line, character = col }
  local params = { textDocument = { uri = uri }, range = { start = pos, ['end'] = pos }, context = { diagnostics = {} } }
  local responses = vim.lsp.buf_request_sync(bufnr, 'textDocument/codeAction', params, 20000)
  local action
  local titles = {}
  for _, resp in pairs(responses or {}) do
    for _, a in ipairs(resp.result or {}) do
      table.insert(titles, a.title)
      if a.title == vim.env.TITLE then action = a end
    end
  end
  out('offered: ' .. table.concat(titles, ' | '))
  if not action then return finish(4, 'no action titled ' .. vim.env.TITLE) end
  local client = vim.lsp.get_client_by_id(client_id)
  if not action.edit then
    local resp = client.request_sync('codeAction/resolve', action, 20000, bufnr)
    if not resp or resp.err then return finish(5, 'resolve failed: ' .. vim.inspect(resp and resp.err)) end
    action = resp.result
    out(string.format('resolved at %d ms', ms()))
  end
  if action.disabled then return finish(6, 'disabled: ' .. action.disabled.reason) end
  if not action.edit or not action.edit.documentChanges then return finish(7, 'no documentChanges in the edit') end
  out(string.format('edit: %d documents', #action.edit.documentChanges))
  vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding or 'utf-16')
  vim.cmd('silent wall')
  finish(0, 'thread ctx e2e')
end)
if not ok then out('ERROR ' .. tostring(err)); vim.cmd('cquit 9') end

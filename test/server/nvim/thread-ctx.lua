-- "Thread ctx" from a todo() marker: the code action is offered without an edit, resolved (codeAction/resolve) into
-- one versioned WorkspaceEdit, applied and written. The mocha side checks the files on disk.
return function(H)
  local bufnr = H.start(vim.env.TARGET_FILE)
  H.wait_diagnostics(bufnr, function() return true end, 30000, 'the first diagnostics (the server has the document)')
  local line, col
  for i, text in ipairs(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)) do
    local at = string.find(text, 'todo()', 1, true)
    if at then line, col = i - 1, at - 1; break end
  end
  if not line then H.fail(3, 'no todo() marker in the file') end
  local pos = { line = line, character = col }
  local actions = H.code_actions(bufnr, { start = pos, ['end'] = pos }, {})
  if not H.find(actions, 'Thread ctx up the call chain from downstream') then H.fail(4, 'no "Thread ctx up the call chain" action') end
  local thread = H.find(actions, 'Thread ctx through downstream')
  if not thread then H.fail(4, 'no "Thread ctx through downstream" action') end
  if thread.edit then H.fail(4, 'the edit should wait for codeAction/resolve') end
  local resolved = H.resolve(bufnr, thread)
  if resolved.disabled then H.fail(5, 'refused: ' .. resolved.disabled.reason) end
  H.out(string.format('resolved at %d ms: %d document(s)', H.ms(), #resolved.edit.documentChanges))
  H.apply(resolved)
  H.write_all()
end

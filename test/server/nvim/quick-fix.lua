-- A rule's quick fix: `downstream(todo(), ...)` with `ctx` in scope gets "Pass `ctx`".
return function(H)
  local bufnr = H.start(vim.env.TARGET_FILE)
  local list = H.wait_diagnostics(bufnr, function(l) return #H.with_code(l, 'ctxkit/no-dropped-context') > 0 end, 30000, 'no-dropped-context')
  local dropped = H.with_code(list, 'ctxkit/no-dropped-context')[1]
  local actions = H.code_actions(bufnr, dropped.range, { dropped })
  local pass = H.find(actions, 'Pass `ctx`')
  if not pass then H.fail(4, 'no "Pass `ctx`" quick fix') end
  H.apply(H.resolve(bufnr, pass))
  H.write_all()
  H.wait_diagnostics(bufnr, function(l) return #H.with_code(l, 'ctxkit/no-dropped-context') == 0 end, 30000, 'the fixed diagnostics')
end

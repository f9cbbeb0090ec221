-- Neovim (0.7 or newer, headless, no user config) as kubelint's language client: open a
-- manifest, wait for the diagnostic at its line and column, edit it away, bring it back,
-- apply the code action's fix. Run by tests/neovim.rs; exits non-zero on the first failure.
local bin = assert(os.getenv("KUBELINT_BIN"), "KUBELINT_BIN")
local root = assert(os.getenv("KUBELINT_ROOT"), "KUBELINT_ROOT")
local file = root .. "/deployment.yaml"

local function say(message)
  io.stderr:write(message .. "\n")
end

local function sigterm_findings(buf)
  local found = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
    if code == "shell-form-sigterm" then
      table.insert(found, d)
    end
  end
  return found
end

local function wait_until(what, condition)
  if not vim.wait(60000, condition, 20) then
    error("timed out waiting for " .. what)
  end
end

local function main()
  vim.cmd("edit " .. vim.fn.fnameescape(file))
  local buf = vim.api.nvim_get_current_buf()
  -- No user configuration: no filetype detection; the filetype is the languageId sent.
  vim.bo[buf].filetype = "yaml"
  local client_id = vim.lsp.start_client({
    name = "kubelint",
    cmd = { bin, "server" },
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = "root" } },
    flags = { debounce_text_changes = 10 },
  })
  assert(client_id, "the client did not start")
  vim.lsp.buf_attach_client(buf, client_id)

  wait_until("the shell-form-sigterm diagnostic", function()
    return #sigterm_findings(buf) == 1
  end)
  local d = sigterm_findings(buf)[1]
  -- Line 19, column 33 as the CLI says it; Neovim counts from 0.
  if d.lnum ~= 18 or d.col ~= 32 then
    error(("diagnostic at %d:%d, expected 18:32"):format(d.lnum, d.col))
  end
  say("diagnostic at 19:33")

  local original = vim.api.nvim_buf_get_lines(buf, 18, 19, false)[1]
  vim.api.nvim_buf_set_lines(buf, 18, 19, false, { '          command: ["python", "app.py"]' })
  wait_until("the diagnostic to clear", function()
    return #sigterm_findings(buf) == 0 and #vim.diagnostic.get(buf) > 0
  end)
  say("cleared after the edit")

  vim.api.nvim_buf_set_lines(buf, 18, 19, false, { original })
  wait_until("the diagnostic to come back", function()
    return #sigterm_findings(buf) == 1
  end)
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    range = { start = { line = 18, character = 32 }, ["end"] = { line = 18, character = 68 } },
    context = { diagnostics = {}, only = { "quickfix" } },
  }
  local responses = vim.lsp.buf_request_sync(buf, "textDocument/codeAction", params, 30000)
  local actions = responses and responses[client_id] and responses[client_id].result or {}
  local fix
  for _, action in ipairs(actions) do
    if action.title:find("^insert `exec`") then
      fix = action
    end
  end
  assert(fix, "no `insert exec` code action among " .. vim.inspect(actions))
  vim.lsp.util.apply_workspace_edit(fix.edit, "utf-16")
  local line = vim.api.nvim_buf_get_lines(buf, 18, 19, false)[1]
  assert(line:find("&& exec python app.py", 1, true), "fixed line: " .. line)
  wait_until("the diagnostic to clear after the fix", function()
    return #sigterm_findings(buf) == 0
  end)
  say("fixed by the code action")

  vim.lsp.stop_client(client_id)
  wait_until("the server to stop", function()
    return vim.lsp.get_client_by_id(client_id) == nil
  end)
  say("ok")
end

local ok, err = pcall(main)
if not ok then
  say("FAIL: " .. tostring(err))
  vim.cmd("cquit 1")
end
vim.cmd("qall!")

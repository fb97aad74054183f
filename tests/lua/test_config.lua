-- Config: defaults, deep merge, type errors naming the key path, unknown keys, env overrides,
-- vim.g.smallcode, and what is sent to Rust.
local h = dofile(vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h') .. '/helpers.lua')
h.setup('config')

local config = require('smallcode.config')
local notes = h.capture_notify()

-- Defaults.
local c = config.resolve(nil)
h.eq(c.timeouts, { connect = 5, first_token = 180, idle = 30 }, 'default timeouts')
h.eq(c.max_tokens, 512, 'default max_tokens')
h.eq(c.temperature, 0.2, 'default temperature')
h.eq(c.log_level, 'info', 'default log_level')
h.eq(c.keys, { send_insert = '<C-s>', send_normal = '<CR>', stop = '<C-c>' }, 'default keys')
h.eq(c.chat, { position = 'right', size = 0.4 }, 'default chat')
h.eq(c.provider, nil, 'provider defaults to nil')
h.eq(#notes, 0, 'no warnings for defaults')

-- Deep merge keeps sibling defaults and never modifies the defaults table.
c = config.resolve({ timeouts = { idle = 2 }, keys = { stop = false }, provider = 'ollama' })
h.eq(c.timeouts, { connect = 5, first_token = 180, idle = 2 }, 'deep merge of timeouts')
h.eq(c.keys.stop, false, 'a key can be disabled')
h.eq(c.keys.send_normal, '<CR>', 'other keys kept')
h.eq(config.defaults.timeouts.idle, 30, 'defaults untouched')

-- Type errors name the key path, vim.validate style.
local err = h.raises(function() config.resolve({ timeouts = { idle = 'soon' } }) end)
h.eq(err, '(smallcode) config.timeouts.idle: expected number, got string', 'nested type error')
err = h.raises(function() config.resolve({ max_tokens = '512' }) end)
h.eq(err, '(smallcode) config.max_tokens: expected number, got string', 'top-level type error')
err = h.raises(function() config.resolve({ endpoint = 8080 }) end)
h.eq(err, '(smallcode) config.endpoint: expected string or nil, got number', 'optional string')
err = h.raises(function() config.resolve({ timeouts = 5 }) end)
h.eq(err, '(smallcode) config.timeouts: expected table, got number', 'table replaced by a number')
err = h.raises(function() config.resolve({ max_tokens = 1.5 }) end)
h.contains(err, 'config.max_tokens: expected a positive integer', 'max_tokens integer')
err = h.raises(function() config.resolve({ chat = { position = 'float' } }) end)
h.contains(err, "config.chat.position: expected one of 'right', 'bottom', got 'float'", 'position values')
err = h.raises(function() config.resolve({ keys = { send_insert = 1 } }) end)
h.contains(err, 'config.keys.send_insert: expected string or false, got number', 'key type')
err = h.raises(function() config.resolve('fast') end)
h.contains(err, '(smallcode) config: expected table, got string', 'whole config type')

-- A bad provider lists the valid ones.
err = h.raises(function() config.resolve({ provider = 'grpc' }) end)
h.contains(err, "config.provider: expected one of 'openai', 'ollama' or nil, got 'grpc'", 'provider values')

-- Unknown keys: one warning naming them, the rest still applies.
notes = h.capture_notify()
c = config.resolve({ modle = 'x', timeouts = { idel = 1 }, max_tokens = 64 })
h.eq(#notes, 1, 'one warning for unknown keys')
h.contains(notes[1].msg, '(smallcode) unknown config keys ignored: config.modle, config.timeouts.idel', 'names them')
h.eq(notes[1].level, vim.log.levels.WARN, 'warning level')
h.eq(c.max_tokens, 64, 'known keys still applied')

-- Environment overrides win over options when non-empty.
vim.env.SMALLCODE_ENDPOINT = 'http://127.0.0.1:1234'
vim.env.SMALLCODE_MODEL = ''
vim.env.SMALLCODE_PROVIDER = 'ollama'
vim.env.SMALLCODE_BIN = '/opt/smallcode'
c = config.resolve({ endpoint = 'http://example.invalid', model = 'kept', provider = 'openai' })
h.eq(c.endpoint, 'http://127.0.0.1:1234', 'SMALLCODE_ENDPOINT overrides')
h.eq(c.model, 'kept', 'an empty SMALLCODE_MODEL does not override')
h.eq(c.provider, 'ollama', 'SMALLCODE_PROVIDER overrides')
h.eq(c.bin, '/opt/smallcode', 'SMALLCODE_BIN overrides')
vim.env.SMALLCODE_PROVIDER = 'grpc'
err = h.raises(function() config.resolve({}) end)
h.contains(err, "got 'grpc' (from $SMALLCODE_PROVIDER)", 'a bad env value names the variable')
for _, v in ipairs({ 'SMALLCODE_ENDPOINT', 'SMALLCODE_MODEL', 'SMALLCODE_PROVIDER', 'SMALLCODE_BIN' }) do
  vim.env[v] = nil
end

-- What Rust receives: only its keys, no nils.
c = config.resolve({ endpoint = 'http://127.0.0.1:8080', bin = '/x', chat = { size = 50 } })
local wire = config.for_rust(c)
h.eq(wire.endpoint, 'http://127.0.0.1:8080', 'endpoint sent')
h.eq(wire.bin, nil, 'bin stays in Lua')
h.eq(wire.keys, nil, 'keys stay in Lua')
h.eq(wire.chat, nil, 'chat stays in Lua')
h.eq(wire.model, nil, 'nil model not sent')
h.eq(wire.timeouts, { connect = 5, first_token = 180, idle = 30 }, 'timeouts sent')
h.eq(wire.max_tokens, 512, 'max_tokens sent')

-- :SmallCode fix signals and escalation (opt-in): defaults, checks, what Rust receives.
c = config.resolve({})
h.eq(c.fix, {
  quickfix = true,
  quickfix_input = true,
  diagnostics = true,
  settle_ms = 500,
  diagnostic_rounds = 1,
  repair_templates = true,
}, 'fix defaults')
err = h.raises(function() config.resolve({ fix = { repair_templates = 'no' } }) end)
h.contains(err, 'config.fix.repair_templates: expected boolean', 'repair_templates is a boolean')
h.eq(config.for_rust(c).escalation, nil, 'no escalation by default')
c = config.resolve({ escalation = { provider = 'anthropic', model = 'big', api_key_env = 'ANTHROPIC_API_KEY' } })
h.eq(config.for_rust(c).escalation.api_key_env, 'ANTHROPIC_API_KEY', 'escalation sent with the variable name only')
err = h.raises(function() config.resolve({ escalation = { provider = 'grpc', model = 'm' } }) end)
h.contains(err, "config.escalation.provider: expected one of 'anthropic', 'openai'", 'bad escalation provider')
err = h.raises(function() config.resolve({ escalation = { provider = 'openai' } }) end)
h.contains(err, 'config.escalation.model: expected string', 'escalation needs a model')
err = h.raises(function() config.resolve({ fix = { diagnostic_rounds = 1.5 } }) end)
h.contains(err, 'config.fix.diagnostic_rounds: expected an integer >= 0', 'bad round cap')

-- The code graph: live updates on by default, Lua-only keys, checked.
c = config.resolve({})
h.eq(c.graph, { index_on_start = false, live = true, debounce_ms = 200, progress = true }, 'graph defaults')
h.eq(config.for_rust(c).graph, nil, 'graph options stay in Lua')
err = h.raises(function() config.resolve({ graph = { debounce_ms = -1 } }) end)
h.contains(err, 'config.graph.debounce_ms: expected an integer >= 0', 'bad debounce')
err = h.raises(function() config.resolve({ graph = { live = 'yes' } }) end)
h.contains(err, 'config.graph.live: expected boolean', 'bad live flag')

-- Review: on by default, keys remappable or off, checked.
c = config.resolve({})
h.eq(c.review.auto_accept, false, 'review is on by default')
h.eq(c.review.keys.next, ']h', 'default next key')
c = config.resolve({ review = { auto_accept = true, keys = { accept = 'ga', prev = false } } })
h.eq({ c.review.auto_accept, c.review.keys.accept, c.review.keys.prev, c.review.keys.reject }, {
  true,
  'ga',
  false,
  '<LocalLeader>r',
}, 'review merged')
h.eq(config.for_rust(c).review, nil, 'review stays in Lua')
err = h.raises(function() config.resolve({ review = { auto_accept = 'yes' } }) end)
h.contains(err, 'config.review.auto_accept: expected boolean', 'bad auto_accept')
err = h.raises(function() config.resolve({ review = { keys = { next = 1 } } }) end)
h.contains(err, 'config.review.keys.next: expected string or false, got number', 'bad review key')

-- vim.g.smallcode is read when setup() was never called; setup() replaces it.
vim.g.smallcode = { model = 'from-g', timeouts = { connect = 1 } }
local sc = require('smallcode')
h.eq(sc.config.model, 'from-g', 'vim.g.smallcode read lazily')
h.eq(sc.config.timeouts.connect, 1, 'vim.g.smallcode deep-merged')
sc.setup({ model = 'from-setup' })
h.eq(sc.config.model, 'from-setup', 'setup() config wins')
h.eq(sc.config.timeouts.connect, 5, 'setup() starts from the defaults')
err = h.raises(function() sc.setup({ temperature = 'hot' }) end)
h.eq(err, '(smallcode) config.temperature: expected number, got string', 'setup() validates')

-- The user's tools and commands: their own names are not unknown keys; a command may not take a
-- built-in's name, needs a description and exactly one of prompt / run.
notes = h.capture_notify()
c = config.resolve({
  tools = { shout = { description = 'Upper-case', run = function(a) return a.text end } },
  commands = { explain = { description = 'Explain simply', prompt = 'Explain {args} simply.' } },
})
h.eq(#notes, 0, 'user tool and command names are not unknown keys')
h.eq(c.commands.explain.prompt, 'Explain {args} simply.', 'commands kept')
err = h.raises(function() config.resolve({ commands = { fix = { description = 'mine', prompt = 'x' } } }) end)
h.contains(err, 'config.commands: expected commands.fix not to be a built-in command: /fix exists', 'clash refused')
err = h.raises(function() config.resolve({ commands = { Memory = { description = 'mine', prompt = 'x' } } }) end)
h.contains(err, '/memory exists, pick another name', 'clash refused whatever the case')
err = h.raises(function() config.resolve({ commands = { ['do-it'] = { description = 'x', prompt = 'x' } } }) end)
h.contains(err, 'command names made of letters only', 'letters only')
err = h.raises(function() config.resolve({ commands = { go = { description = 'x' } } }) end)
h.contains(err, 'commands.go to have either prompt', 'prompt or run')
err = h.raises(function()
  config.resolve({ commands = { go = { description = 'x', prompt = 'a', run = function() end } } })
end)
h.contains(err, 'commands.go to have either prompt', 'not both')
err = h.raises(function() config.resolve({ commands = { go = { prompt = 'x' } } }) end)
h.contains(err, 'commands.go to be a table with a description string', 'description needed')

h.done()

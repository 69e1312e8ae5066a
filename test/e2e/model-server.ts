import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isAbsolute, join } from 'node:path';

// A model server of our own on 127.0.0.1 that speaks just enough of the Anthropic Messages API and
// OpenAI Chat Completions and Responses, and the Gemini API (all streamed) for each of the five CLIs to call its file-writing
// tool and then answer. The prompt decides: "Create a file named X with content Y" → a write tool
// call, then "MOCK_DONE wrote X"; MODEL_ERROR → HTTP 400 with the API's error body;
// RATE_LIMIT_<n> <key> → HTTP 429 for the first n requests (the Gemini API's is a daily quota);
// QUOTA_EXHAUSTED_<n> <key> → a 429 saying the quota is exhausted until a reset time it names (Chat Completions);
// OVERLOADED_<n> <key> → the API's "overloaded" (529 for Anthropic, else 503), which each CLI retries by itself.
// A 429 says `x-should-retry: false`, the header with which the Anthropic and OpenAI APIs tell their
// clients not to retry: claude, qwen's OpenAI SDK and copilot then give up at once, as they do on a
// limit that waiting out is the cure for (codex does not retry a 429, gemini not a daily quota).
export interface ModelServer {
  url: string;
  requests: string[];
  close(): Promise<void>;
}

export async function startModelServer(): Promise<ModelServer> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      requests.push(`${req.method} ${req.url}`);
      try {
        route(req, res, body);
      } catch (error) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ type: 'error', error: { type: 'api_error', message: (error as Error).message } }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function route(req: IncomingMessage, res: ServerResponse, body: string): void {
  const path = (req.url ?? '').split('?')[0];
  // codex asks for the Responses API over a WebSocket first: refused, it uses HTTP at once.
  if (req.headers.upgrade)
    return json(res, 426, { error: { message: 'no WebSockets here: use HTTP', type: 'invalid_request_error' } });
  if (req.method === 'POST' && path === '/v1/messages/count_tokens') return json(res, 200, { input_tokens: 10 });
  if (req.method === 'POST' && path === '/v1/messages')
    return anthropicMessages(res, JSON.parse(body) as AnthropicRequest, workdirIn(body));
  if (req.method === 'POST' && path === '/v1/chat/completions')
    return chatCompletions(res, JSON.parse(body) as ChatRequest, workdirIn(body));
  if (req.method === 'POST' && path === '/v1/responses')
    return openaiResponses(res, JSON.parse(body) as ResponsesRequest, workdirIn(body));
  const gemini = /^\/v1beta\/models\/[^:]+:(streamGenerateContent|generateContent)$/.exec(path ?? '');
  if (req.method === 'POST' && gemini)
    return geminiGenerate(
      res,
      JSON.parse(body) as GeminiRequest,
      workdirIn(body),
      gemini[1] === 'streamGenerateContent',
    );
  json(res, 404, {
    type: 'error',
    error: { type: 'not_found_error', message: `${req.method} ${path} is not served here` },
  });
}

interface AnthropicRequest {
  model: string;
  messages: { role: string; content: string | { type: string; text?: string }[] }[];
  tools?: { name: string }[];
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, {
    'content-type': 'application/json',
    ...(status === 429 ? { 'x-should-retry': 'false' } : {}),
  });
  res.end(JSON.stringify(value));
}

// The OpenAI APIs' answer when they are overloaded.
const OPENAI_OVERLOADED = {
  error: { message: 'The server is overloaded, please try again later.', type: 'server_error', code: null },
};

// The text of the first user message: the prompt (Claude Code adds reminders around it).
function promptOf(request: AnthropicRequest): string {
  const first = request.messages.find((message) => message.role === 'user');
  if (!first) return '';
  return typeof first.content === 'string' ? first.content : first.content.map((block) => block.text ?? '').join('\n');
}

// The CLIs tell the model their working directory in the system prompt; write tools want absolute paths.
function workdirIn(body: string): string {
  const found =
    /(?:Primary working directory|currently working in the directory|Current working directory): ([^\\"]+)|Workspace Directories:\*\*\\n +- ([^\\"]+)|<cwd>([^<]+)<\/cwd>/.exec(
      body,
    );
  return found?.[1] ?? found?.[2] ?? found?.[3] ?? process.cwd();
}

const TASK = /Create a file named (\S+) with content ([^\n]+)/;

interface ChatRequest {
  model: string;
  messages: { role: string; content?: string | { type: string; text?: string }[] | null }[];
  tools?: { function?: { name: string } }[];
}

function textOf(content: ChatRequest['messages'][number]['content']): string {
  if (!content) return '';
  return typeof content === 'string' ? content : content.map((part) => part.text ?? '').join('\n');
}

interface ResponsesRequest {
  model: string;
  input: { type?: string; role?: string; content?: { type: string; text?: string }[] }[];
  tools?: { type: string; name?: string }[];
}

const shellQuote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

// The OpenAI Responses API, streamed (codex): the file is written with codex's exec_command tool
// (the tool it offers for a model it has no metadata for), then the answer once the call returned.
function openaiResponses(res: ServerResponse, request: ResponsesRequest, workdir: string): void {
  const prompt = request.input
    .filter((item) => item.role === 'user')
    .flatMap((item) => (item.content ?? []).map((part) => part.text ?? ''))
    .join('\n');
  if (prompt.includes('MODEL_ERROR'))
    return json(res, 400, { error: { message: 'MODEL_ERROR asked for', type: 'invalid_request_error', code: null } });
  const failure = failing(prompt);
  if (failure === 'OVERLOADED') return json(res, 503, OPENAI_OVERLOADED);
  if (failure)
    return json(res, 429, {
      error: { message: 'Rate limited by the e2e server', type: 'rate_limit_exceeded', code: 'rate_limit_exceeded' },
    });
  const task = TASK.exec(prompt);
  const toolDone = request.input.at(-1)?.type === 'function_call_output';
  const canRun = request.tools?.some((tool) => tool.name === 'exec_command') ?? false;
  const item =
    task && !toolDone && canRun
      ? {
          type: 'function_call',
          id: 'fc_e2e_1',
          call_id: 'call_e2e_1',
          status: 'completed',
          name: 'exec_command',
          arguments: JSON.stringify({
            cmd: `printf '%s' ${shellQuote(task[2]!.trim())} > ${shellQuote(isAbsolute(task[1]!) ? task[1]! : join(workdir, task[1]!))}`,
          }),
        }
      : {
          type: 'message',
          id: 'msg_e2e_1',
          role: 'assistant',
          status: 'completed',
          content: [{ type: 'output_text', text: task ? `MOCK_DONE wrote ${task[1]}` : 'MOCK_DONE', annotations: [] }],
        };
  const usage = {
    input_tokens: 10,
    output_tokens: 5,
    total_tokens: 15,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens_details: { reasoning_tokens: 0 },
  };
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  const send = (type: string, fields: object) =>
    res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...fields })}\n\n`);
  send('response.created', { response: { id: 'resp_e2e', status: 'in_progress', model: request.model } });
  send('response.output_item.added', { output_index: 0, item: { ...item, status: 'in_progress' } });
  send('response.output_item.done', { output_index: 0, item });
  send('response.completed', {
    response: { id: 'resp_e2e', status: 'completed', model: request.model, output: [item], usage },
  });
  res.end();
}

// The Gemini API's answer once the free tier's requests per day are used up (gemini does not retry it).
const GEMINI_DAILY_QUOTA = {
  error: {
    code: 429,
    message:
      'You exceeded your current quota, please check your plan and billing details.\n* Quota exceeded for metric: generativelanguage.googleapis.com/generate_content_free_tier_requests, limit: 50\nPlease retry in 1s.',
    status: 'RESOURCE_EXHAUSTED',
    details: [
      {
        '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
        violations: [
          {
            quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests',
            quotaId: 'GenerateRequestsPerDayPerProjectPerModel-FreeTier',
          },
        ],
      },
      { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '1s' },
    ],
  },
};

interface GeminiRequest {
  contents: { role: string; parts: { text?: string; functionResponse?: unknown }[] }[];
  tools?: { functionDeclarations?: { name: string }[] }[];
  generationConfig?: { responseJsonSchema?: { properties?: Record<string, { type?: string; enum?: unknown[] }> } };
}

// The Gemini API: a JSON answer shaped by the schema when asked for one (gemini's model router),
// else a write_file call first and the answer once the tool ran; streamed as SSE when asked.
function geminiGenerate(res: ServerResponse, request: GeminiRequest, workdir: string, stream: boolean): void {
  const prompt = request.contents
    .filter((content) => content.role === 'user')
    .flatMap((content) => content.parts.map((part) => part.text ?? ''))
    .join('\n');
  if (prompt.includes('MODEL_ERROR'))
    return json(res, 400, { error: { code: 400, message: 'MODEL_ERROR asked for', status: 'INVALID_ARGUMENT' } });
  const failure = failing(prompt);
  if (failure === 'OVERLOADED')
    return json(res, 503, {
      error: { code: 503, message: 'The model is overloaded. Please try again later.', status: 'UNAVAILABLE' },
    });
  if (failure) return json(res, 429, GEMINI_DAILY_QUOTA);
  const task = TASK.exec(prompt);
  const toolDone = request.contents.at(-1)?.parts.some((part) => part.functionResponse !== undefined) ?? false;
  const tools = new Set(
    (request.tools ?? []).flatMap((tool) => (tool.functionDeclarations ?? []).map((declaration) => declaration.name)),
  );
  const schema = request.generationConfig?.responseJsonSchema?.properties;
  let parts: object[];
  if (schema) {
    const value = (type: { type?: string; enum?: unknown[] }) =>
      type.enum?.[0] ??
      (/number|integer/i.test(type.type ?? '') ? 1 : /boolean/i.test(type.type ?? '') ? false : 'a simple task');
    parts = [
      { text: JSON.stringify(Object.fromEntries(Object.entries(schema).map(([key, type]) => [key, value(type)]))) },
    ];
  } else if (task && !toolDone && tools.has('write_file')) {
    parts = [
      {
        functionCall: {
          name: 'write_file',
          args: { file_path: isAbsolute(task[1]!) ? task[1] : join(workdir, task[1]!), content: task[2]!.trim() },
        },
      },
    ];
  } else {
    parts = [{ text: task ? `MOCK_DONE wrote ${task[1]}` : 'MOCK_DONE' }];
  }
  const answer = {
    candidates: [{ content: { role: 'model', parts }, finishReason: 'STOP', index: 0 }],
    usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 5, totalTokenCount: 15 },
  };
  if (!stream) return json(res, 200, answer);
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.end(`data: ${JSON.stringify(answer)}\n\n`);
}

// The file-writing tool a CLI offers, and its arguments: qwen's write_file, copilot's create.
function writeCall(
  tools: ChatRequest['tools'],
  path: string,
  content: string,
): { name: string; arguments: string } | undefined {
  const names = new Set((tools ?? []).map((tool) => tool.function?.name));
  if (names.has('write_file')) return { name: 'write_file', arguments: JSON.stringify({ file_path: path, content }) };
  if (names.has('create')) return { name: 'create', arguments: JSON.stringify({ path, file_text: content }) };
  return undefined;
}

// OpenAI Chat Completions, streamed: a write tool call first, the answer once the tool ran.
function chatCompletions(res: ServerResponse, request: ChatRequest, workdir: string): void {
  const prompt = request.messages
    .filter((message) => message.role === 'user')
    .map((message) => textOf(message.content))
    .join('\n');
  if (prompt.includes('MODEL_ERROR'))
    return json(res, 400, { error: { message: 'MODEL_ERROR asked for', type: 'invalid_request_error' } });
  const limit = failing(prompt);
  if (limit === 'OVERLOADED') return json(res, 503, OPENAI_OVERLOADED);
  // Alibaba Cloud's words for a used-up quota plan (qwen gives up on it at once).
  if (limit === 'QUOTA_EXHAUSTED')
    return json(res, 429, {
      error: {
        message: `Your token-plan 1-week quota has been exhausted. The quota will reset at ${dayTimeUtc(Date.now() + QUOTA_RESET_MS)} UTC.`,
        type: 'rate_limit_exceeded',
        code: 'rate_limit_exceeded',
      },
    });
  if (limit)
    return json(res, 429, {
      error: { message: 'Rate limited by the e2e server', type: 'rate_limit_exceeded', code: 'rate_limit_exceeded' },
    });
  const task = TASK.exec(prompt);
  const toolDone = request.messages.at(-1)?.role === 'tool';
  const usage = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 };
  const chunk = (delta: object, finish: string | null, withUsage = false) =>
    `data: ${JSON.stringify({ id: 'chatcmpl-e2e', object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: request.model, choices: [{ index: 0, delta, finish_reason: finish }], ...(withUsage ? { usage } : {}) })}\n\n`;
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  const write =
    task && !toolDone
      ? writeCall(request.tools, isAbsolute(task[1]!) ? task[1]! : join(workdir, task[1]!), task[2]!.trim())
      : undefined;
  if (write) {
    res.write(
      chunk(
        { role: 'assistant', tool_calls: [{ index: 0, id: 'call_e2e_1', type: 'function', function: write }] },
        null,
      ),
    );
    res.write(chunk({}, 'tool_calls', true));
  } else {
    res.write(chunk({ role: 'assistant', content: task ? `MOCK_DONE wrote ${task[1]}` : 'MOCK_DONE' }, null));
    res.write(chunk({}, 'stop', true));
  }
  res.end('data: [DONE]\n\n');
}

// RATE_LIMIT_<n> <key>, QUOTA_EXHAUSTED_<n> <key> or OVERLOADED_<n> <key> in a prompt: the first n
// requests for that key fail that way (which is returned), the rest are answered normally.
type Failure = 'RATE_LIMIT' | 'QUOTA_EXHAUSTED' | 'OVERLOADED';
const failed = new Map<string, number>();
function failing(prompt: string): Failure | undefined {
  const match = /(RATE_LIMIT|QUOTA_EXHAUSTED|OVERLOADED)_(\d+) (\S+)/.exec(prompt);
  if (!match) return undefined;
  const seen = failed.get(match[3]!) ?? 0;
  failed.set(match[3]!, seen + 1);
  return seen < Number(match[2]) ? (match[1] as Failure) : undefined;
}

// Far enough ahead that the reset has not passed by the time the CLI has exited and been read.
const QUOTA_RESET_MS = 10_000;

// A time as Alibaba Cloud's quota messages name it ("07-27 09:25:00"), rounded up to the second.
function dayTimeUtc(ms: number): string {
  const iso = new Date(Math.ceil(ms / 1000) * 1000).toISOString();
  return `${iso.slice(5, 10)} ${iso.slice(11, 19)}`;
}

function anthropicMessages(res: ServerResponse, request: AnthropicRequest, workdir: string): void {
  const prompt = promptOf(request);
  if (prompt.includes('MODEL_ERROR'))
    return json(res, 400, {
      type: 'error',
      error: { type: 'invalid_request_error', message: 'MODEL_ERROR asked for' },
    });
  const failure = failing(prompt);
  if (failure === 'OVERLOADED')
    return json(res, 529, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
  if (failure)
    return json(res, 429, {
      type: 'error',
      error: { type: 'rate_limit_error', message: 'Rate limited by the e2e server; retry after 1s' },
    });
  const last = request.messages.at(-1)!;
  const toolDone = Array.isArray(last.content) && last.content.some((block) => block.type === 'tool_result');
  const task = TASK.exec(prompt);
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  const send = (type: string, fields: object) =>
    res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...fields })}\n\n`);
  send('message_start', {
    message: {
      id: `msg_${Date.now()}`,
      type: 'message',
      role: 'assistant',
      model: request.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 10, output_tokens: 1 },
    },
  });
  if (task && !toolDone && request.tools?.some((tool) => tool.name === 'Write')) {
    const [, name, content] = task;
    send('content_block_start', {
      index: 0,
      content_block: { type: 'tool_use', id: 'toolu_e2e_1', name: 'Write', input: {} },
    });
    send('content_block_delta', {
      index: 0,
      delta: {
        type: 'input_json_delta',
        partial_json: JSON.stringify({
          file_path: isAbsolute(name!) ? name : join(workdir, name!),
          content: content!.trim(),
        }),
      },
    });
    send('content_block_stop', { index: 0 });
    send('message_delta', { delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 5 } });
  } else {
    send('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
    send('content_block_delta', {
      index: 0,
      delta: { type: 'text_delta', text: task ? `MOCK_DONE wrote ${task[1]}` : 'MOCK_DONE' },
    });
    send('content_block_stop', { index: 0 });
    send('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 5 } });
  }
  send('message_stop', {});
  res.end();
}

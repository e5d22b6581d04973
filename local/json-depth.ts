/**
 * PutEvents "will only process nested JSON up to 1100 levels deep" (EventBridge API reference, PutEvents,
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html; older versions of the page
 * said 1000). The runtime holds an event's Detail to it.
 */
export const MAX_DETAIL_DEPTH = 1100;

/**
 * How deep the JSON documents the runtime takes as text may nest: execution input, task output, TestState's
 * JSON parameters, event patterns. AWS documents no such limit for Step Functions; this one admits every event
 * EventBridge delivers to a state machine (a Detail at EventBridge's limit, inside the event's envelope), and
 * keeps every recursive walk over the parsed value (JSON.stringify among them) far from the stack's end.
 */
export const MAX_PAYLOAD_DEPTH = MAX_DETAIL_DEPTH + 1;

const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Whether JSON text nests arrays and objects deeper than `max` levels (`{"a": [1]}` nests 2), read from the
 * text without parsing it or recursing. JSON.parse copes with any depth, but JSON.stringify, and every recursive
 * walk over what it returns, overflows the stack a few thousand levels down. Text that is not JSON is judged by
 * its brackets all the same; its parser says what else is wrong with it.
 */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      // An escaped character, a quote among them, never ends the string.
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++depth > max) return true;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      depth--;
    }
  }
  return false;
}

/** Sends one national transaction from the counter (envelopes built by `envelope.ts`). */
import { ApiProblem, api } from '../api/client';
import type { EnvelopeAnswer } from '../api/types';
import { type Counter, EnvelopeRefusal, envelope, newMsgid } from './envelope';

/** Sends one transaction; its output on infcode 0, else an EnvelopeRefusal (an HTTP problem stays an ApiProblem). */
export async function transact<T>(
  counter: Counter,
  infno: string,
  input: unknown,
  insuplc_admdvs = '',
): Promise<T> {
  const msgid = newMsgid(counter.fixmedins_code);
  let answer: EnvelopeAnswer<T>;
  try {
    answer = await api.hospitalTransaction<T>(envelope(counter, infno, input, insuplc_admdvs, msgid));
  } catch (error) {
    // A 5xx still carries the envelope (service unavailable: nothing was done, send again).
    if (error instanceof ApiProblem && typeof error.body.err_msg === 'string')
      answer = error.body as unknown as EnvelopeAnswer<T>;
    else throw error;
  }
  if (String(answer.infcode) !== '0') {
    const refusal = new EnvelopeRefusal(infno, String(answer.infcode), msgid);
    refusal.message = answer.err_msg || `交易 ${infno} 未成功（infcode ${answer.infcode}）`;
    throw refusal;
  }
  return answer.output;
}

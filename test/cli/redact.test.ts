import { expect } from 'chai';
import { PassThrough, Readable, Writable } from 'node:stream';
import { GuardError } from '../../guards/errors.js';
import { runRedact } from '../../cli/commands/redact.js';

async function run(opts: { locale: string; text: boolean }, input: string): Promise<{ out: string; error?: unknown }> {
  let out = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      out += chunk.toString('utf8');
      cb();
    },
  });
  try {
    await runRedact(opts, Readable.from([input]), sink);
    return { out };
  } catch (error) {
    return { out, error };
  }
}

describe('trustline redact', () => {
  it('redacts the text of each JSON line and adds findings without values', async () => {
    const line = JSON.stringify({ id: '1', locale: 'de-DE', text: 'Ich bin Jana Krüger, geboren am 3. Mai 1988, IBAN DE89 3704 0044 0532 0130 00', extra: 7 });
    const { out, error } = await run({ locale: 'en-US', text: false }, line + '\n');
    expect(error).to.equal(undefined);
    const rec = JSON.parse(out.trim()) as { id: string; extra: number; text: string; findings: Array<Record<string, unknown>> };
    expect(rec.id).to.equal('1');
    expect(rec.extra).to.equal(7);
    expect(rec.text).to.equal('Ich bin [PERSON_1], geboren am [DATE_OF_BIRTH_1], IBAN [IBAN_1]');
    expect(rec.findings.map((f) => f.type)).to.deep.equal(['PERSON', 'DATE_OF_BIRTH', 'IBAN']);
    expect(out).to.not.include('Krüger');
    expect(out).to.not.include('0532');
  });

  it('uses --locale for lines without one', async () => {
    const { out } = await run({ locale: 'fr-FR', text: false }, '{"id":"2","text":"Appelez-moi au 06 12 34 56 78 svp"}\n');
    expect(JSON.parse(out).text).to.equal('Appelez-moi au [PHONE_1] svp');
  });

  it('redacts one message per line in text mode', async () => {
    const { out } = await run({ locale: 'en-GB', text: true }, 'ring me on 07700 900123\nno pii here\r\nmail jo@x.de');
    expect(out).to.equal('ring me on [PHONE_1]\nno pii here\nmail [EMAIL_1]\n');
  });

  it('reports a bad line by number without echoing it, then fails', async () => {
    const { out, error } = await run({ locale: 'en-US', text: false }, 'not json 4526 0181 5908 3012\n{"id":"3","text":"fine"}\n[1,2]\n');
    const lines = out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).to.deep.equal({ line: 1, error: 'expected a JSON object with a string "text"' });
    expect(lines[1]!.text).to.equal('fine');
    expect(lines[2]!.line).to.equal(3);
    expect(out).to.not.include('4526');
    expect(error).to.be.instanceOf(GuardError);
  });

  it('streams: output starts before the input ends and honours back-pressure', async () => {
    const input = new PassThrough();
    const output = new PassThrough({ highWaterMark: 64 });
    const received: string[] = [];
    const done = runRedact({ locale: 'en-US', text: true }, input, output);
    input.write('first jo@x.de\n');
    const first = await new Promise<string>((resolve) => output.once('data', (c: Buffer) => resolve(c.toString())));
    expect(first).to.equal('first [EMAIL_1]\n');
    output.on('data', (c: Buffer) => received.push(c.toString()));
    for (let i = 0; i < 2000; i++) input.write(`line ${i} call 0115 501 6888\n`);
    input.end();
    await done;
    const all = received.join('');
    expect(all.split('\n').filter(Boolean)).to.have.length(2000);
    expect(all).to.not.include('501 6888');
  });
});

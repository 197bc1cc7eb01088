import { describe, expect, it } from 'vitest';
import { extractReply, patternWork } from './reply';
import { workCounts } from './work-counter';

const quote = '> Could you try again?\n> Thanks, Support';

describe('extractReply', () => {
  it('cuts Gmail/Apple attributions, also wrapped over two lines', () => {
    expect(
      extractReply(
        `It works now.\n\nOn Mon, 2 Mar 2026 at 10:00, Support <help@example.com> wrote:\n${quote}`,
      ),
    ).toEqual({
      visible: 'It works now.',
      quoted: `On Mon, 2 Mar 2026 at 10:00, Support <help@example.com> wrote:\n${quote}`,
    });
    expect(
      extractReply(
        `It works now.\n\nOn Mon, 2 Mar 2026 at 10:00, Support Team <\nhelp@example.com> wrote:\n${quote}`,
      ).visible,
    ).toBe('It works now.');
  });

  it.each([
    ['German', 'Am 02.03.2026 um 10:00 schrieb Support <help@example.com>:'],
    ['French', 'Le lun. 2 mars 2026 à 10:00, Support <help@example.com> a écrit :'],
    ['Spanish', 'El lun, 2 mar 2026 a las 10:00, Support (<help@example.com>) escribió:'],
    ['Italian', 'Il giorno lun 2 mar 2026 alle ore 10:00 Support <help@example.com> ha scritto:'],
    ['Dutch', 'Op ma 2 mrt. 2026 om 10:00 schreef Support <help@example.com>:'],
    ['Russian', 'пн, 2 мар. 2026 г. в 10:00, Support <help@example.com>:'],
    ['Polish', 'W dniu 2026-03-02 10:00, Support pisze napisał:'],
    ['Polish (Dnia)', 'Dnia 2 marca 2026 10:00 Support <help@example.com> napisał(a):'],
    ['Swedish', 'Den 2 mars 2026 kl. 10:00 skrev Support <help@example.com>:'],
    ['Danish', 'Den man. 2. mar. 2026 kl. 10.00 skrev Support <help@example.com>:'],
    ['Japanese', '2026年3月2日(月) 10:00 Support <help@example.com>:'],
    ['Chinese', '在 2026年3月2日 10:00，Support <help@example.com> 写道：'],
    ['Outlook', '-----Original Message-----'],
    ['Outlook (German)', '-----Ursprüngliche Nachricht-----'],
  ])('cuts the %s quote header', (_, header) => {
    const r = extractReply(`Danke, es geht.\n\n${header}\n${quote}`);
    expect(r.visible).toBe('Danke, es geht.');
    expect(r.quoted.startsWith(header)).toBe(true);
  });

  it('cuts an Outlook header block in several languages', () => {
    for (const block of [
      'From: Support <help@example.com>\nSent: Monday, March 2, 2026 10:00 AM\nTo: Ann\nSubject: Printer',
      '*Von:* Support\n*Gesendet:* Montag, 2. März 2026 10:00\n*An:* Ann\n*Betreff:* Drucker',
      'De : Support\nEnvoyé : lundi 2 mars 2026 10:00\nÀ : Ann\nObjet : Imprimante',
      '发件人: Support\n发送时间: 2026年3月2日 10:00\n收件人: Ann\n主题: 打印机',
    ]) {
      const r = extractReply(`Fixed, thanks.\n\n________________________________\n${block}\n\nOld text`);
      expect(r.visible).toBe('Fixed, thanks.');
      expect(r.quoted).toContain('Old text');
    }
  });

  it('drops trailing > quotes but keeps a header-less quote they answer below', () => {
    expect(extractReply('Yes.\n\n> Does it work?').visible).toBe('Yes.');
    expect(extractReply('> Does it work?\n\nYes.').visible).toBe('> Does it work?\n\nYes.');
    expect(
      extractReply('On Mon, 2 Mar 2026, Ann <a@example.com> wrote:\n> Does it work?\n\nYes.').visible,
    ).toBe('Yes.');
  });

  it('keeps a body line that merely starts with "On"', () => {
    const text = 'On the other hand, it fails on Mondays.\nOne more thing: it is loud.';
    expect(extractReply(text)).toEqual({ visible: text, quoted: '' });
  });

  it('splits off "Sent from my iPhone" but not a sentence that starts like one', () => {
    expect(extractReply('Thanks!\n\nSent from my iPhone')).toEqual({
      visible: 'Thanks!',
      quoted: '',
      signature: 'Sent from my iPhone',
    });
    const sentence = 'The report was sent from my iPhone app to all users.\nPlease check.';
    expect(extractReply(sentence).visible).toBe(sentence);
  });

  it('splits off a "-- " signature', () => {
    expect(extractReply('Thanks!\n\n-- \nAnn\nACME')).toEqual({
      visible: 'Thanks!',
      quoted: '',
      signature: '-- \nAnn\nACME',
    });
  });

  it('reads HTML mail through its text', () => {
    const r = extractReply({
      html: '<div dir="ltr">Works <b>now</b>.<div class="gmail_signature">Ann</div></div><div class="gmail_quote"><div>On Mon wrote:</div><blockquote>old</blockquote></div>',
    });
    expect(r.visible).toBe('Works now.');
    expect(r.signature).toBe('-- \nAnn');
    expect(r.quoted).toContain('old');
  });

  it('does work proportional to the input on pathological text (no backtracking blow-ups)', () => {
    const shapes = [
      (n: number) => 'On Mon, 1 Jan 2026 at 10:00 someone <\n'.repeat(n),
      (n: number) => '1 <a@a@a@a@a@a@a@a@a@a@a@a@a@a@a@a@a@a@a@a@a@a@a@a@a@a@a@a@a@a@a@a@a:\n'.repeat(n),
      (n: number) => 'From: x\nSent: 1\nTo: y\n\n'.repeat(n),
      (n: number) => `${'>'.repeat(50)} On 1 wrote\n`.repeat(n),
      (n: number) => 'hi\nSent from my iPhone\n'.repeat(n),
    ];
    for (const shape of shapes) {
      patternWork(true);
      extractReply(shape(2000));
      const once = patternWork(true);
      extractReply(shape(4000));
      const twice = patternWork(true);
      // Every line pattern sees a bounded slice of the input, so doubling the input at most doubles the work.
      expect(once).toBeGreaterThan(0);
      expect(twice / once).toBeGreaterThan(1.95);
      expect(twice / once).toBeLessThan(2.05);
    }
    // A single huge line is never handed to a pattern at all.
    patternWork(true);
    extractReply(`${'On '.repeat(300_000)} wrote:\n> x`);
    expect(patternWork(true)).toBeLessThan(100);
  });

  it('tells the work counter every character its patterns examined, once', () => {
    const mails = [
      'Thanks!\n\nOn Mon, 2 Mar 2026 at 10:00, A <a@b.example> wrote:\n> Try again?',
      '> only\n> quotes',
    ];
    workCounts(true);
    patternWork(true);
    for (const m of mails) extractReply(m);
    // The counter first: what extractReply reported by itself before it returned.
    const counted = workCounts(true).reply;
    expect(counted).toBeGreaterThan(0);
    expect(patternWork(true)).toBe(counted);
  });

  it('strips a mobile signature only when the whole line is one, not prose that begins like one', () => {
    const prose = [
      'Sent from my office, where the printer is, it works now.',
      'From my point of view the fix works.',
      'Sent by the courier yesterday, it arrived broken.',
      'Thanks for the quick fix, it works now',
      'Best regards to your team for the help last week, it was great.',
    ];
    for (const line of prose) {
      const r = extractReply(`Hi,\n\nThe printer works again.\n\n${line}\n\nAnn`);
      expect(r.visible, line).toBe(`Hi,\n\nThe printer works again.\n\n${line}\n\nAnn`);
      expect(r.signature, line).toBeUndefined();
      expect(r.quoted, line).toBe('');
    }
    for (const sig of [
      'Sent from my iPhone',
      'Sent from my Wiko RIDGE FAB 4G',
      'Sent from my Verizon, Samsung Galaxy smartphone',
      'Sent from Mail for Windows 10',
      'Get Outlook for iOS',
      'Von meinem iPhone gesendet',
      '发自我的iPhone',
    ]) {
      expect(extractReply(`It works.\n\n${sig}`), sig).toEqual({
        visible: 'It works.',
        quoted: '',
        signature: sig,
      });
    }
  });
});

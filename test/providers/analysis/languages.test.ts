import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { detectLanguage } from '../../../src/providers/analysis/language.ts';
import { analyzeTranscript, notAnalysed } from '../../../src/providers/analysis/local-analyzer.ts';
import { loadNlp } from '../../../src/providers/analysis/nlp.ts';

const user = (text: string) => ({ role: 'user' as const, text });
const agent = (text: string) => ({ role: 'assistant' as const, text });

describe('conversation language', () => {
  before(() => loadNlp());

  it('tells English, German, French and Spanish from each other and from languages the analyzer does not read', () => {
    const cases: [string, string, boolean][] = [
      ['Hi, my parcel has not arrived yet. Can you check where it is, please?', 'en', true],
      ['Hallo, meine Bestellung ist noch nicht angekommen. Können Sie bitte nachsehen?', 'de', true],
      ["Bonjour, je voudrais annuler ma commande, s'il vous plaît. Elle n'est pas encore partie.", 'fr', true],
      ['Hola, mi pedido todavía no ha llegado. ¿Pueden revisar dónde está, por favor?', 'es', true],
      ['Ciao, il mio ordine non è ancora arrivato. Potete controllare dove si trova?', 'ita', false],
      ['Hoi, mijn pakket is nog steeds niet aangekomen. Kunt u nagaan waar het is?', 'nld', false],
    ];
    for (const [text, code, analysed] of cases) assert.deepEqual(detectLanguage([user(text)]), { code, analysed }, text);
  });

  it('reads a short English chat as English even when its names and codes look foreign to trigrams', () => {
    assert.deepEqual(detectLanguage([user('Balance on gift card ending 8830?'), agent('23.50 remaining, valid until March next year.'), user('Thanks')]), { code: 'en', analysed: true });
    assert.deepEqual(detectLanguage([user('ok')]), { code: 'en', analysed: true });
    assert.deepEqual(detectLanguage([user('Danke!')]), { code: 'de', analysed: true });
  });

  it('analyses German, French and Spanish conversations', () => {
    const german = analyzeTranscript([
      user('Hallo, mir wurde die Rechnung für März doppelt abgebucht.'),
      agent('Das tut mir leid. Ich habe die doppelte Abbuchung erstattet.'),
      user('Super, vielen Dank für die schnelle Hilfe!'),
    ]);
    assert.deepEqual({ s: german.sentiment, t: german.taskCompleted }, { s: 'positive', t: true });
    assert.ok(german.topics.includes('billing'), JSON.stringify(german.topics));
    assert.match(german.summary, /The user wrote: "Hallo, mir wurde die Rechnung für März doppelt abgebucht\."/);

    const french = analyzeTranscript([
      user("Mon colis n'est toujours pas arrivé, c'est la troisième fois. C'est inadmissible."),
      agent('Je suis désolé. Je vous mets en relation avec le service livraison, qui vous rappellera sous 48 heures.'),
      user('Toujours la même chose. Je suis très déçu.'),
    ]);
    assert.deepEqual({ s: french.sentiment, t: french.taskCompleted }, { s: 'negative', t: false });
    assert.ok(french.topics.includes('shipping'), JSON.stringify(french.topics));

    const spanish = analyzeTranscript([user('¿Cuál es el horario de la tienda el domingo?'), agent('Los domingos abrimos de 10 a 14 horas.'), user('Vale, gracias.')]);
    assert.deepEqual({ s: spanish.sentiment, t: spanish.taskCompleted }, { s: 'neutral', t: true });
  });

  it('does not guess about a language it does not read: a documented "not analysed" result', () => {
    const r = analyzeTranscript([
      user('Ciao, il mio ordine non è ancora arrivato ed è la terza volta. Sono davvero deluso.'),
      agent('Mi dispiace, il corriere la contatterà entro tre giorni.'),
    ]);
    assert.deepEqual(r, notAnalysed('ita'));
    assert.deepEqual({ sentiment: r.sentiment, score: r.sentimentScore, done: r.taskCompleted, topics: r.topics, issues: r.issues }, { sentiment: 'neutral', score: 0, done: false, topics: [], issues: [] });
    assert.match(r.summary, /^Not analysed: the conversation's language \(ita\)/);
  });
});

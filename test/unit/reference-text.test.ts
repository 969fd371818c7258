import { describe, expect, it } from 'vitest';
import { foldText, normaliseCalibreText, normaliseMakeText, normaliseTypeText } from '../../src/reference/reference-text.js';

describe('text folding shared by every normaliser', () => {
  it('applies NFKC, removes accents and lower-cases', () => {
    expect(foldText('Česká ZBROJOVKA')).toBe('ceska zbrojovka');
    expect(foldText('Ｈｅｃｋｌｅｒ')).toBe('heckler'); // full-width letters (NFKC)
    expect(foldText('Hämmerli Sarsılmaz Łucznik')).toBe('hammerli sarsilmaz lucznik');
  });
});

describe('normaliseMakeText', () => {
  it('reads & as "and", so S&W and Smith and Wesson line up with their & spellings', () => {
    expect(normaliseMakeText('Smith & Wesson')).toBe('smith and wesson');
    expect(normaliseMakeText('Smith and Wesson')).toBe('smith and wesson');
    expect(normaliseMakeText('S&W')).toBe(normaliseMakeText('S & W'));
  });

  it('drops legal-form words at the end or start of the name', () => {
    expect(normaliseMakeText('SMITH & WESSON INC')).toBe('smith and wesson');
    expect(normaliseMakeText('Smith & Wesson Corp.')).toBe('smith and wesson');
    expect(normaliseMakeText('Heckler & Koch GmbH')).toBe('heckler and koch');
    expect(normaliseMakeText("Fabbrica d'Armi Pietro Beretta S.p.A.")).toBe('fabbrica darmi pietro beretta');
    expect(normaliseMakeText('Česká zbrojovka a.s.')).toBe('ceska zbrojovka');
    expect(normaliseMakeText('Zastava Oružje a.d.')).toBe('zastava oruzje');
    expect(normaliseMakeText('Glock Ges.m.b.H.')).toBe('glock');
    expect(normaliseMakeText('Bersa S.A.')).toBe('bersa');
    expect(normaliseMakeText('Kel-Tec CNC Industries, LLC')).toBe('kel tec cnc industries');
    expect(normaliseMakeText('PT Pindad (Persero)')).toBe('pindad');
    expect(normaliseMakeText('Fabryka Broni Łucznik-Radom sp. z o.o.')).toBe('fabryka broni lucznik radom');
  });

  it('drops the conjunction left dangling by "& Co."', () => {
    expect(normaliseMakeText('Sturm, Ruger & Co.')).toBe('sturm ruger');
    expect(normaliseMakeText('Gabilondo y Cía')).toBe('gabilondo');
  });

  it('keeps legal forms when asked, so Glock Inc. and Glock GmbH stay apart', () => {
    expect(normaliseMakeText('Glock, Inc.', { keepLegalForm: true })).toBe('glock inc');
    expect(normaliseMakeText('Glock GmbH', { keepLegalForm: true })).toBe('glock gmbh');
    expect(normaliseMakeText('American Derringer Corp.', { keepLegalForm: true })).not.toBe(
      normaliseMakeText('American Derringer Co.', { keepLegalForm: true }),
    );
  });

  it('never strips a name down to nothing', () => {
    expect(normaliseMakeText('AG')).toBe('ag');
    expect(normaliseMakeText('  ')).toBe('');
  });

  it('removes dots inside abbreviations and turns other punctuation into spaces', () => {
    expect(normaliseMakeText('F.N.')).toBe('fn');
    expect(normaliseMakeText('CZ-UB')).toBe('cz ub');
    expect(normaliseMakeText("Colt's Mfg Co")).toBe('colts mfg');
  });
});

describe('normaliseCalibreText', () => {
  it('writes metric pairs one way whatever the multiplication sign, spacing or unit', () => {
    for (const text of ['9x19mm', '9×19mm', '9 x 19 mm', '9X19', '9 × 19']) expect(normaliseCalibreText(text)).toBe('9x19');
  });

  it('reads a decimal comma, a Cyrillic х and мм as their Latin forms', () => {
    expect(normaliseCalibreText('7,62х39')).toBe('7.62x39');
    expect(normaliseCalibreText('5,56 мм')).toBe('5.56mm');
  });

  it('keeps a rimmed R with the pair', () => {
    expect(normaliseCalibreText('7.62x54mmR')).toBe('7.62x54r');
    expect(normaliseCalibreText('7.62 x 54 R')).toBe('7.62x54r');
  });

  it('joins a number to mm', () => {
    expect(normaliseCalibreText('9 mm Luger')).toBe('9mm luger');
    expect(normaliseCalibreText('9mm Luger')).toBe('9mm luger');
  });

  it('drops a leading decimal point: .380 is 380', () => {
    expect(normaliseCalibreText('.380 ACP')).toBe('380 acp');
    expect(normaliseCalibreText('380 ACP')).toBe('380 acp');
    expect(normaliseCalibreText('0.380 ACP')).toBe('380 acp');
  });

  it('removes the noise words cal., caliber and calibre', () => {
    for (const text of ['.45 cal', 'cal. 45', 'Cal .45', 'caliber .45', 'calibre 45', '45cal']) expect(normaliseCalibreText(text)).toBe('45');
  });

  it('unifies gauge spellings', () => {
    for (const text of ['12 gauge', '12 ga', '12GA', '12-gauge', '12 bore', '12 G', '12 ga.']) expect(normaliseCalibreText(text)).toBe('12ga');
    expect(normaliseCalibreText('.410 bore')).toBe('410ga');
  });

  it('collapses dotted abbreviations and drops & and +P load marks', () => {
    expect(normaliseCalibreText('.45 A.C.P.')).toBe('45 acp');
    expect(normaliseCalibreText('9mm P.A.K.')).toBe('9mm pak');
    expect(normaliseCalibreText('.38 S&W')).toBe('38 sw');
    expect(normaliseCalibreText('.38 S & W')).toBe('38 sw');
    expect(normaliseCalibreText('9mm +P')).toBe('9mm');
    expect(normaliseCalibreText('.38 Special +P+')).toBe('38 special');
  });

  it('keeps hyphenated designations apart from their neighbours', () => {
    expect(normaliseCalibreText('.30-06 Springfield')).toBe('30 06 springfield');
    expect(normaliseCalibreText('.30-30 Win.')).toBe('30 30 win');
  });

  it('never folds away the numbers that tell near-names apart', () => {
    expect(normaliseCalibreText('9x18')).not.toBe(normaliseCalibreText('9x19'));
    expect(normaliseCalibreText('9x21')).not.toBe(normaliseCalibreText('9x19'));
    expect(normaliseCalibreText('7.62x39')).not.toBe(normaliseCalibreText('7.62x51'));
    expect(normaliseCalibreText('7.62x53R')).not.toBe(normaliseCalibreText('7.62x54R'));
  });
});

describe('normaliseTypeText', () => {
  it('treats hyphens and spaces alike and ignores case and accents', () => {
    expect(normaliseTypeText('Semi-Automatic Pistol')).toBe('semi automatic pistol');
    expect(normaliseTypeText('semi automatic  pistol')).toBe('semi automatic pistol');
    expect(normaliseTypeText('Revólver')).toBe('revolver');
    expect(normaliseTypeText('Over/Under')).toBe('over under');
  });
});

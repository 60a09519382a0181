import { en, type Messages } from './en';
import { DICTIONARIES, interpolate, LANGUAGES, pickLanguage, placeholders, templateParts, translate } from './index';
import { zhCN } from './zh-CN';

// Type-level: a dictionary without one of the English keys, or with a key English lacks, does not compile.
const { 'app.name': _dropped, ...withoutOneKey } = zhCN;
// @ts-expect-error a missing key is a type error
const _incomplete: Messages = withoutOneKey;
// @ts-expect-error an extra key is a type error
const _extra: Messages = { ...zhCN, 'app.nope': 'x' };

describe('i18n dictionaries', () => {
  const keys = Object.keys(en).sort();

  it.each(LANGUAGES)('%s has exactly the English keys', (language) => {
    expect(Object.keys(DICTIONARIES[language]).sort()).toEqual(keys);
  });

  it.each(LANGUAGES)('%s uses the same placeholders as English in every message, and no empty one', (language) => {
    const dictionary = DICTIONARIES[language];
    for (const key of Object.keys(en) as (keyof Messages)[]) {
      expect([key, placeholders(dictionary[key])]).toEqual([key, placeholders(en[key])]);
      expect(dictionary[key].trim()).not.toBe('');
    }
  });

  it('is really translated into Chinese (every message has Chinese characters)', () => {
    const untranslated = (Object.keys(zhCN) as (keyof Messages)[]).filter((key) => !/\p{Script=Han}/u.test(zhCN[key]));
    expect(untranslated).toEqual([]);
  });
});

describe('language choice', () => {
  it('prefers the stored choice', () => {
    expect(pickLanguage('zh-CN', ['en-US'])).toBe('zh-CN');
    expect(pickLanguage('en', ['zh-CN'])).toBe('en');
  });

  it('otherwise follows the browser, any Chinese to Simplified Chinese', () => {
    expect(pickLanguage(null, ['zh-CN', 'en'])).toBe('zh-CN');
    expect(pickLanguage(null, ['zh'])).toBe('zh-CN');
    expect(pickLanguage(null, ['zh-Hans-SG'])).toBe('zh-CN');
    expect(pickLanguage(null, ['de-DE', 'en-GB', 'zh-CN'])).toBe('en');
    expect(pickLanguage('klingon', ['fr-FR'])).toBe('en');
    expect(pickLanguage(null, [])).toBe('en');
  });
});

describe('messages', () => {
  it('fills in placeholders and leaves unknown ones visible', () => {
    expect(interpolate('Page {page} of {pages}', { page: 2 })).toBe('Page 2 of {pages}');
    expect(translate('en', 'records.page', { page: 3 })).toBe('Page 3');
    expect(translate('zh-CN', 'records.page', { page: 3 })).toBe('第 3 页');
  });

  it('splits a template into text and placeholders (for elements in messages)', () => {
    expect(templateParts('Run {command} on the server.')).toEqual([{ text: 'Run ' }, { name: 'command' }, { text: ' on the server.' }]);
    expect(templateParts('{a}{b}')).toEqual([{ name: 'a' }, { name: 'b' }]);
    expect(templateParts('no placeholder')).toEqual([{ text: 'no placeholder' }]);
  });
});

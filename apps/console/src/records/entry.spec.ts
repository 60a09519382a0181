import { fieldText, prettyBody } from './entry';

describe('entry page', () => {
  it('pretty-prints the canonical body, or shows it as it is', () => {
    expect(prettyBody('{"a":1,"b":[true]}')).toBe('{\n  "a": 1,\n  "b": [\n    true\n  ]\n}');
    expect(prettyBody('not json')).toBe('not json');
  });

  it('shows field values as text; null and empty lists as no value', () => {
    expect(fieldText(['contact', 'consent'])).toBe('contact, consent');
    expect(fieldText([])).toBeNull();
    expect(fieldText(null)).toBeNull();
    expect(fieldText(3)).toBe('3');
  });
});

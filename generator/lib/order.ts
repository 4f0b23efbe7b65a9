/**
 * String order by UTF-16 code unit, the same in every locale: `localeCompare`
 * follows the machine's locale (Danish sorts "aa" after "z"), and rendered
 * files must not depend on who renders them.
 */
export function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

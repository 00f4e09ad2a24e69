/** The part of jstat (no bundled types) the statistical mode uses: Student's t distribution. */
declare module 'jstat' {
  const jstat: { jStat: { studentt: { inv(p: number, dof: number): number; cdf(x: number, dof: number): number } } };
  export default jstat;
}

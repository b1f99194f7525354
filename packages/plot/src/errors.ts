/** Bad input to a plot or a report; the message names the argument and the value. */
export class PlotError extends Error {
  override readonly name = "PlotError";
}

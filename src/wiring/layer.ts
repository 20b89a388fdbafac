/** What every layer builder returns: the service it made, and how to release what it holds. */
export interface Layer<S> {
  service: S;
  close(): Promise<void>;
}

/** Closes layers in the reverse order of their building; one failing close does not stop the others. */
export async function closeInReverse(layers: ReadonlyArray<Pick<Layer<unknown>, 'close'>>): Promise<void> {
  for (const layer of [...layers].reverse()) await layer.close().catch(() => {});
}

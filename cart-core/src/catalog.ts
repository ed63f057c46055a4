/**
 * The product catalog. Prices always come from here, never from a client. It holds more than
 * the 50-line cart limit so that the bench can fill a cart to the limit with distinct lines.
 */
export interface Product {
  readonly id: string;
  readonly name: string;
  readonly priceCents: number;
}

const ITEMS: ReadonlyArray<readonly [string, string, number]> = [
  ['mug', 'Mug', 1299],
  ['tee', 'T-shirt', 1999],
  ['cap', 'Cap', 1599],
  ['sock', 'Socks', 899],
  ['tote', 'Tote bag', 1499],
  ['note', 'Notebook', 699],
  ['pen', 'Pen', 349],
  ['pin', 'Enamel pin', 499],
  ['hood', 'Hoodie', 4499],
  ['bottle', 'Water bottle', 2199],
  ['sticker', 'Sticker pack', 399],
  ['poster', 'Poster', 1199],
  ['lanyard', 'Lanyard', 599],
  ['scarf', 'Scarf', 2499],
  ['beanie', 'Beanie', 1799],
];
const COLOURS: ReadonlyArray<readonly [string, string]> = [
  ['ink', 'Ink'],
  ['sand', 'Sand'],
  ['moss', 'Moss'],
  ['rust', 'Rust'],
];

export const CATALOG: readonly Product[] = Object.freeze(
  ITEMS.flatMap(([item, name, priceCents], i) =>
    COLOURS.map(([colour, colourName], j) =>
      Object.freeze({
        id: `${item}-${colour}`,
        name: `${name}, ${colourName}`,
        priceCents: priceCents + ((i + j) % 3) * 100,
      }),
    ),
  ),
);

const BY_ID: ReadonlyMap<string, Product> = new Map(CATALOG.map((p) => [p.id, p]));

export function findProduct(id: string): Product | undefined {
  return BY_ID.get(id);
}

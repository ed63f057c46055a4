/**
 * The topology table from cart-core, written into the bundle by `buildUi`: core's runtime modules
 * need Node, so the browser gets the table as data rather than as an import.
 */
import type { Variant, VariantSpec } from '@statelab/cart-core';

declare const __STATELAB_TOPOLOGY__: Readonly<Record<Variant, VariantSpec>>;

export const TOPOLOGY: Readonly<Record<Variant, VariantSpec>> = __STATELAB_TOPOLOGY__;
export const SPECS: readonly VariantSpec[] = Object.values(TOPOLOGY);

/** The cart: editable quantities, remove, clear, totals. The server validates; the view just sends. */
import type { CartView } from '@statelab/cart-core';
import { formatCents, plural } from '../logic/format.ts';
import { h, render } from './dom.ts';

export interface CartActions {
  setQuantity(productId: string, quantity: number): void;
  remove(productId: string): void;
  clear(): void;
}

export function createCartView(variant: string, actions: CartActions) {
  const element = h('section', { class: 'cart', 'aria-label': `${variant} cart` });

  function line(item: CartView['items'][number]): HTMLElement {
    const inputId = `qty-${variant}-${item.productId}`;
    return h(
      'li',
      { 'data-product': item.productId },
      h('label', { class: 'line-name', for: inputId }, item.name),
      h('input', {
        id: inputId,
        type: 'number',
        class: 'qty',
        min: 0,
        max: 99,
        step: 1,
        inputmode: 'numeric',
        value: item.quantity,
        'data-key': `qty-${item.productId}`,
        onchange: (event) => {
          const value = (event.target as HTMLInputElement).value.trim();
          // An empty box is not a request; anything else goes to the server, which has the last word.
          if (value !== '') actions.setQuantity(item.productId, Number(value));
        },
      }),
      h('span', { class: 'price' }, formatCents(item.lineTotalCents)),
      h(
        'button',
        {
          type: 'button',
          class: 'small quiet',
          'data-key': `remove-${item.productId}`,
          'aria-label': `Remove ${item.name} from the ${variant} cart`,
          onclick: () => actions.remove(item.productId),
        },
        'Remove',
      ),
    );
  }

  return {
    element,
    update(cart: CartView | undefined): void {
      if (!cart) {
        render(element, h('p', { class: 'muted' }, 'Loading the cart…'));
        return;
      }
      render(
        element,
        h(
          'div',
          { class: 'cart-head' },
          h('h3', {}, 'Cart'),
          h(
            'span',
            { class: 'cart-id', title: 'cartId: changes only when the cart starts over' },
            cart.cartId,
          ),
          h('span', { class: 'muted' }, `rev ${cart.rev}`),
        ),
        cart.items.length === 0
          ? h('p', { class: 'empty' }, 'Empty. Add something from the catalog.')
          : h('ul', { class: 'lines' }, ...cart.items.map(line)),
        h(
          'div',
          { class: 'cart-foot' },
          h(
            'span',
            { class: 'total' },
            `${plural(cart.itemCount, 'item')} · ${formatCents(cart.totalCents)}`,
          ),
          h(
            'button',
            {
              type: 'button',
              class: 'small quiet',
              'data-key': 'clear',
              disabled: cart.items.length === 0,
              onclick: () => actions.clear(),
            },
            'Clear cart',
          ),
        ),
      );
    },
  };
}

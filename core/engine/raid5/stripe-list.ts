/**
 * The stripe cache's lists (handle_list, hold_list, delayed_list, bitmap_list, inactive_list): intrusive
 * doubly linked lists through StripeHead.prev/next, like `sh->lru`, so moving a stripe is O(1) and
 * allocates nothing. A stripe is on at most one list at a time.
 */
import { assert } from '../../util/assert';
import type { StripeHead } from './stripe-head';

export class StripeList {
  private head: StripeHead | null = null;
  private tail: StripeHead | null = null;
  length = 0;

  constructor(readonly name: string) {}

  get empty(): boolean {
    return this.length === 0;
  }

  first(): StripeHead | null {
    return this.head;
  }

  pushTail(sh: StripeHead): void {
    if (sh.list !== null) assert(false, `stripe ${sh.sector} joins ${this.name} while on ${sh.list.name}`);
    sh.list = this;
    sh.prev = this.tail;
    sh.next = null;
    if (this.tail) this.tail.next = sh;
    else this.head = sh;
    this.tail = sh;
    this.length++;
  }

  remove(sh: StripeHead): void {
    if (sh.list !== this) assert(false, `stripe ${sh.sector} leaves ${this.name} but is on ${sh.list?.name ?? 'no list'}`);
    if (sh.prev) sh.prev.next = sh.next;
    else this.head = sh.next;
    if (sh.next) sh.next.prev = sh.prev;
    else this.tail = sh.prev;
    sh.prev = sh.next = null;
    sh.list = null;
    this.length--;
  }

  popHead(): StripeHead | null {
    const sh = this.head;
    if (sh) this.remove(sh);
    return sh;
  }
}

/** LoadStatus is where a view's first load is: on its way, done, or failed (a later failure keeps `ready`). */
export type LoadStatus = 'loading' | 'ready' | 'error';

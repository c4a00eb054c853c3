// What Mantine expects of a browser and jsdom lacks: media queries, resize observers, scrolling.
// Imported first by each component test (they run with `@jest-environment jsdom`).

Object.defineProperty(window, 'matchMedia', {
  writable: true,
  value: (query: string) => ({
    matches: false,
    media: query,
    onchange: null,
    addListener: () => {},
    removeListener: () => {},
    addEventListener: () => {},
    removeEventListener: () => {},
    dispatchEvent: () => false,
  }),
});

class NoResizeObserver {
  observe() {}
  unobserve() {}
  disconnect() {}
}
Object.assign(window, { ResizeObserver: NoResizeObserver });

window.HTMLElement.prototype.scrollIntoView = () => {};

// jsdom's getComputedStyle rejects the pseudo-element argument Mantine passes.
const computedStyle = window.getComputedStyle.bind(window);
window.getComputedStyle = (element: Element) => computedStyle(element);

export {};

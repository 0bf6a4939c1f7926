// Monaco writes its theme, token colours and decorations into <style> elements that it creates at run
// time. The page's CSP (style-src 'self', no 'unsafe-inline') refuses to apply them, so the editors
// would show no syntax colours. A stylesheet built through the CSSOM is not inline style: each such
// element's text is mirrored into a constructed stylesheet that the document adopts.
const mirrors = new Map();

function mirror() {
  for (const element of mirrors.keys()) if (!element.isConnected) mirrors.delete(element);
  for (const element of document.querySelectorAll('style')) {
    const text = element.textContent;
    const known = mirrors.get(element);
    if (known?.text === text) continue;
    const sheet = known?.sheet ?? new CSSStyleSheet();
    sheet.replaceSync(text);
    mirrors.set(element, { sheet, text });
  }
  document.adoptedStyleSheets = [...mirrors.values()].map(({ sheet }) => sheet);
}

const touchesStyle = (record) =>
  record.target.nodeName === 'STYLE' ||
  record.target.parentNode?.nodeName === 'STYLE' ||
  [...record.addedNodes, ...record.removedNodes].some((node) => node.nodeName === 'STYLE');

new MutationObserver((records) => {
  if (records.some(touchesStyle)) mirror();
}).observe(document, { childList: true, subtree: true, characterData: true });

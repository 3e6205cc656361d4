import { num } from '../format';

/** Previous and next for a list shown `size` rows at a time; nothing when every row fits on one page. */
export function Pager({ page, size, total, onPage }: { page: number; size: number; total: number; onPage: (page: number) => void }) {
  if (total <= size) return null;
  return (
    <div class="pager">
      <button disabled={page === 0} onClick={() => onPage(page - 1)}>← Previous</button>
      <span>{page * size + 1}–{Math.min(total, (page + 1) * size)} of {num(total)}</span>
      <button disabled={(page + 1) * size >= total} onClick={() => onPage(page + 1)}>Next →</button>
    </div>
  );
}

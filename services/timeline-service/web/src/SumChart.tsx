import {
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';
import { useEffect, useRef } from 'react';
import { responseOf, type TimelineExam } from './api.ts';

Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, Tooltip, Legend);

export interface SumPoint {
  label: string;
  sumMm: number;
  isBaseline: boolean;
}

/** Sum of target-lesion diameters of the current line of treatment: its baseline and follow-ups. */
export function sumPoints(exams: readonly TimelineExam[], baselineExamId: string | null): SumPoint[] {
  const baseline = exams.find((e) => e.examId === baselineExamId);
  if (!baseline) {
    return [];
  }
  return exams
    .filter((e) => e.examId === baselineExamId || e.followUpOf === baselineExamId)
    .flatMap((e) => {
      const sum = responseOf(e)?.sumOfDiametersMm;
      return sum === null || sum === undefined
        ? []
        : [{ label: (e.date ?? '').slice(0, 10), sumMm: sum, isBaseline: e.examId === baselineExamId }];
    });
}

/**
 * The RECIST plot: sums over time with the partial-response line (−30 % from baseline) and the
 * progression line (+20 % above the nadir so far). A table beside it carries the same numbers for
 * screen readers.
 */
export function SumChart({ points }: { points: SumPoint[] }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current || points.length === 0) {
      return;
    }
    const baseline = points.find((p) => p.isBaseline)?.sumMm ?? points[0].sumMm;
    // The nadir includes the baseline; each point is compared with the smallest sum before it.
    let nadir = points[0].sumMm;
    const progressionLine = points.map((p) => {
      const line = Math.round(nadir * 1.2 * 10) / 10;
      nadir = Math.min(nadir, p.sumMm);
      return line;
    });
    const chart = new Chart(canvas.current, {
      type: 'line',
      data: {
        labels: points.map((p) => p.label),
        datasets: [
          {
            label: 'Sum of diameters (mm)',
            data: points.map((p) => p.sumMm),
            borderColor: '#1f4e79',
            backgroundColor: '#1f4e79',
          },
          {
            label: '−30 % from baseline (partial response)',
            data: points.map(() => Math.round(baseline * 0.7 * 10) / 10),
            borderColor: '#2e7d32',
            borderDash: [6, 4],
            pointRadius: 0,
          },
          {
            label: '+20 % above nadir (progression)',
            data: progressionLine,
            borderColor: '#c62828',
            borderDash: [2, 3],
            pointRadius: 0,
          },
        ],
      },
      options: {
        animation: false,
        responsive: true,
        // A fixed height keeps the exam list in view; the width follows the page.
        maintainAspectRatio: false,
        scales: { y: { beginAtZero: true, title: { display: true, text: 'mm' } } },
      },
    });
    return () => chart.destroy();
  }, [points]);

  if (points.length === 0) {
    return <p>No tumour measurements on this line of treatment yet.</p>;
  }
  return (
    <figure className="chart">
      <div className="chart-canvas">
        <canvas
          ref={canvas}
          role="img"
          aria-label="Sum of target lesion diameters over time, with the −30 % and +20 % lines"
          data-testid="sum-chart"
        />
      </div>
      <figcaption>
        <table>
          <caption className="visually-hidden">Sum of diameters by date</caption>
          <thead>
            <tr>
              <th scope="col">Date</th>
              <th scope="col">Sum (mm)</th>
            </tr>
          </thead>
          <tbody>
            {points.map((p) => (
              <tr key={p.label + String(p.sumMm)}>
                <td>
                  {p.label}
                  {p.isBaseline ? ' (baseline)' : ''}
                </td>
                <td>{p.sumMm}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </figcaption>
    </figure>
  );
}

import { registry } from "@web/core/registry";

// Every tile of the dashboard shows the figures of its report as the menu opens it for the same
// user. The test puts the report's figures (the ORM's read_group with the action's domain, as
// that user) in window.clientbaseTiles: {title: {kind, digits, total, rows}}; this tour waits
// until every tile is drawn (the charts included), reads what each shows and compares.

const WAIT_MS = 30000;

function tileOf(title) {
    return [...document.querySelectorAll(".o-dashboard-action")].find(
        (tile) => tile.querySelector(".o-dashboard-action-header")?.textContent.trim() === title
    );
}

function isEmpty(tile) {
    return !!tile.querySelector(".o_view_nocontent, .o_view_sample_data");
}

function parseCell(cell) {
    const text = cell.textContent.replace(/[^0-9.-]/g, "");
    return text ? parseFloat(text) : 0;
}

// what a tile shows: {rows: [[values]...], total: [values]} or null while it is not drawn
function readTile(tile, expected) {
    if (expected.kind === "graph") {
        if (isEmpty(tile)) {
            return { rows: [], empty: true };
        }
        const canvas = tile.querySelector("canvas");
        const chart = canvas && window.Chart && window.Chart.getChart(canvas);
        if (!chart || !chart.data.datasets.length) {
            return null;
        }
        // a line of one point is padded with empty points: only numbers are figures
        const values = chart.data.datasets
            .flatMap((dataset) => dataset.data)
            .filter((value) => typeof value === "number");
        return { rows: values.map((value) => [value]) };
    }
    if (isEmpty(tile)) {
        return { rows: [], total: [], empty: true };
    }
    const rows = [...tile.querySelectorAll(".o_pivot table tbody tr")];
    if (!rows.length) {
        return null;
    }
    const width = expected.total.length;
    const values = rows.map((row) =>
        [...row.querySelectorAll("td.o_pivot_cell_value")].slice(-width).map(parseCell)
    );
    return { total: values[0], rows: values.slice(1) };
}

// a pivot shows its figures rounded to the measure's digits, a chart holds them as they are
function close(shown, expected, digits, rounded) {
    const tolerance = rounded ? 0.5 * Math.pow(10, -digits) : 0;
    return Math.abs(shown - expected) <= tolerance + 1e-6;
}

function sameRows(shown, expected, digits, rounded) {
    const nonZero = (row) => row.some((value) => Math.abs(value) > 1e-9);
    const key = (row) => JSON.stringify(row.map((value, i) => value.toFixed(digits[i])));
    const sorted = (rows) => rows.filter(nonZero).sort((x, y) => (key(x) < key(y) ? -1 : 1));
    const a = sorted(shown);
    const b = sorted(expected);
    return (
        a.length === b.length &&
        a.every((row, i) => row.every((value, j) => close(value, b[i][j], digits[j], rounded)))
    );
}

async function compareTiles() {
    const expectedTiles = window.clientbaseTiles;
    const titles = Object.keys(expectedTiles);
    const deadline = Date.now() + WAIT_MS;
    let problems = [];
    while (Date.now() < deadline) {
        problems = [];
        for (const title of titles) {
            const expected = expectedTiles[title];
            const tile = tileOf(title);
            const shown = tile && readTile(tile, expected);
            if (!shown) {
                problems.push(`${title}: not drawn yet`);
                continue;
            }
            if (shown.empty !== undefined && expected.rows.length) {
                problems.push(`${title}: shows no data where its report has ${expected.rows.length} groups`);
                continue;
            }
            if (!sameRows(shown.rows, expected.rows, expected.digits, expected.kind === "pivot")) {
                problems.push(
                    `${title}: shows ${JSON.stringify(shown.rows)}, its report ${JSON.stringify(expected.rows)}`
                );
            }
            if (
                expected.kind === "pivot" &&
                !shown.empty &&
                !shown.total.every((value, i) => close(value, expected.total[i], expected.digits[i], true))
            ) {
                problems.push(
                    `${title}: total ${JSON.stringify(shown.total)}, its report ${JSON.stringify(expected.total)}`
                );
            }
        }
        if (!problems.length && document.querySelectorAll(".o-dashboard-action").length === titles.length) {
            return;
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`The dashboard is not its reports:\n${problems.join("\n")}`);
}

registry.category("web_tour.tours").add("clientbase_dashboard_tiles_tour", {
    steps: () => [
        {
            content: "The dashboard's tiles are there",
            trigger: ".o-dashboard-action .o-dashboard-action-header",
            // eight tiles load their views one by one: a busy machine takes more than the default
            timeout: WAIT_MS,
        },
        {
            content: "Every tile shows its report's figures",
            trigger: ".o-dashboard-action canvas",
            timeout: WAIT_MS + 10000,
            async run() {
                await compareTiles();
                // the charts' animations end before the picture is taken
                await new Promise((resolve) => setTimeout(resolve, 1500));
            },
        },
    ],
});

import { registry } from "@web/core/registry";

// The head of sales opens the dashboard: its charts are drawn, and a number of the clients'
// pivot opens the clients behind it (a chart's bar opens them the same way).
registry.category("web_tour.tours").add("clientbase_dashboard_tour", {
    steps: () => [
        {
            content: "The chart of clients and revenue by stage is drawn",
            trigger: ".o-dashboard-action:contains(Clients and revenue by stage) canvas",
        },
        {
            content: "The growth chart is drawn",
            trigger: ".o-dashboard-action:contains(Growth and churn per month) canvas",
        },
        {
            content: "Open the clients behind the pivot's total",
            trigger: ".o-dashboard-action:contains(Clients by stage) .o_pivot .o_pivot_cell_value:not(:empty)",
            run: "click",
        },
        {
            content: "The clients are listed",
            trigger: ".o_list_view .o_data_row:contains(Dashboard Client)",
        },
    ],
});

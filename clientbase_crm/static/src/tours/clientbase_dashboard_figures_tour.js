import { registry } from "@web/core/registry";

// A tile of the dashboard and its report opened from the menu show the same figures to the same
// user: the revenue total of the "Clients by stage" pivot against the Clients Analysis pivot.
const seen = {};

registry.category("web_tour.tours").add("clientbase_dashboard_figures_tour", {
    steps: () => [
        {
            content: "Read the revenue total of the clients by stage on the dashboard",
            trigger: ".o-dashboard-action:contains(Clients by stage) .o_pivot tbody tr:first-child .o_pivot_cell_value:eq(1)",
            // the first tour of a run may wait for the charts' library to be bundled
            timeout: 30000,
            run() {
                seen.tile = this.anchor.textContent.trim();
            },
        },
        {
            content: "Open Reporting",
            trigger: ".o_main_navbar .o_menu_sections button:contains(Reporting)",
            run: "click",
        },
        {
            content: "Open Clients Analysis from the menu",
            trigger: ".dropdown-item:contains(Clients Analysis)",
            run: "click",
        },
        {
            content: "The report is open",
            trigger: ".o_control_panel .o_breadcrumb:contains(Clients Analysis)",
        },
        {
            content: "The report shows the tile's revenue",
            trigger: ".o_pivot_view .o_pivot tbody tr:first-child .o_pivot_cell_value:eq(0)",
            run() {
                const report = this.anchor.textContent.trim();
                if (!seen.tile || report !== seen.tile) {
                    throw new Error(`The tile shows ${seen.tile}, its report ${report}`);
                }
            },
        },
    ],
});

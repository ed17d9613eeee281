import { registry } from "@web/core/registry";

// A marketer creates a win-back campaign for a segment and gives each of its clients a
// personal code with a deadline.
registry.category("web_tour.tours").add("clientbase_loyalty_campaign_tour", {
    steps: () => [
        {
            content: "Create a promo campaign",
            trigger: ".o_list_button_add",
            run: "click",
        },
        {
            content: "Name it",
            trigger: ".o_form_view div[name='name'] input",
            run: "edit Tour win-back",
        },
        {
            content: "For the clients of the lapsed segment",
            trigger: ".o_form_view div[name='segment_id'] input",
            run: "edit Tour lapsed",
        },
        {
            trigger: ".ui-autocomplete a:contains('Tour lapsed clients')",
            run: "click",
        },
        {
            content: "The reward: the win-back coupon program",
            trigger: ".o_form_view div[name='program_id'] input",
            run: "edit Tour Win-back",
        },
        {
            trigger: ".ui-autocomplete a:contains('Tour Win-back 10%')",
            run: "click",
        },
        {
            content: "Valid until the end of 2099",
            trigger: ".o_form_view div[name='expiration_date'] input",
            run: "edit 12/31/2099 && click body",
        },
        {
            content: "Save",
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            content: "Saved",
            trigger: ".o_breadcrumb .active:contains('Tour win-back')",
        },
        {
            content: "Generate the personal codes",
            trigger: ".o_form_view .o_form_statusbar button[name='action_generate_codes']",
            run: "click",
        },
        {
            content: "One code for each of the segment's three clients",
            trigger: ".o_form_view button[name='action_open_codes'] .o_stat_value:contains('3')",
        },
    ],
});

// A salesperson reads on his client's quotation the client's personal code (the client quotes
// it from the mailing) and applies it through Odoo's coupon entry: the discount line shows.
registry.category("web_tour.tours").add("clientbase_loyalty_code_tour", {
    steps: () => {
        let code = "";
        return [
            {
                content: "The quotation shows the client's personal code",
                trigger: ".o_form_view div[name='client_promo_code'] span",
                run() {
                    code = this.anchor.textContent.trim();
                },
            },
            {
                content: "Enter a coupon code",
                trigger: ".o_form_view button:contains('Coupon Code')",
                run: "click",
            },
            {
                content: "The client's code",
                trigger: ".modal div[name='coupon_code'] input",
                async run(actions) {
                    await actions.edit(code);
                },
            },
            {
                content: "Apply it",
                trigger: ".modal:not(:contains('Choose your reward')) button[name='action_apply']",
                run: "click",
            },
            {
                content: "Choose its reward",
                trigger:
                    ".modal div[name='selected_reward_id'] .o_radio_item:contains('Tour win-back 10% off') input",
                run: "click",
            },
            {
                content: "Take it",
                trigger: ".modal:contains('Choose your reward') button[name='action_apply']",
                run: "click",
            },
            {
                content: "The discount is on the quotation",
                trigger:
                    "body:not(:has(.modal)) .o_form_view div[name='order_line'] .o_data_row:contains('Tour win-back 10% off')",
            },
        ];
    },
});

// A client on the portal sees his level, the progress to the next one and his personal code
// with its deadline.
registry.category("web_tour.tours").add("clientbase_loyalty_portal_tour", {
    steps: () => [
        {
            content: "His level",
            trigger: ".o_clientbase_loyalty .o_clientbase_level:contains('Silver')",
        },
        {
            content: "The progress to the next level",
            trigger: ".o_clientbase_loyalty .o_clientbase_progress:contains('Gold')",
        },
        {
            content: "His personal code and its deadline",
            trigger: ".o_clientbase_loyalty .o_clientbase_code:contains('12/31/2099') code",
        },
    ],
});

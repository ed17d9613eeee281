import { _t } from "@web/core/l10n/translation";
import { ConfirmationDialog } from "@web/core/confirmation_dialog/confirmation_dialog";
import { registry } from "@web/core/registry";
import { kanbanView } from "@web/views/kanban/kanban_view";
import { KanbanRenderer } from "@web/views/kanban/kanban_renderer";
import { KanbanHeader } from "@web/views/kanban/kanban_header";

/**
 * A funnel column's header: the count of its clients beside the sum the progress bar shows
 * (Odoo shows only the sum when the progress bar has one). The count is the group's count,
 * read under the user's record rules as every search is.
 */
export class ClientbaseFunnelKanbanHeader extends KanbanHeader {
    static template = "clientbase_crm.FunnelKanbanHeader";

    get clientCountTitle() {
        return _t("Clients in this column");
    }
}

/**
 * Funnel boards of clients: dropping a card into another warmth or stage column sets that
 * value by hand. When the card leaves a value the segmentation computed, ask first. Dropping
 * it into "Lost" opens the dialog that records why (the same as the card's "Mark as Lost").
 */
export class ClientbaseFunnelKanbanRenderer extends KanbanRenderer {
    static components = { ...KanbanRenderer.components, KanbanHeader: ClientbaseFunnelKanbanHeader };

    /** The confirmation asked before a drop sets a computed value by hand, by grouped field. */
    clientManualValueMessage(fieldName, value) {
        if (fieldName === "client_warmth") {
            return _t(
                "This client's warmth is computed automatically. Set it to %s by hand? Recomputes will keep your value until you clear it.",
                value
            );
        }
        if (fieldName === "client_stage") {
            return _t(
                "This client's stage is computed automatically. Set it to %s by hand? Recomputes will keep your value until you clear it.",
                value
            );
        }
        return false;
    }

    async sortRecordDrop(dataRecordId, dataGroupId, params) {
        const { list } = this.props;
        const fieldName = list.isGrouped && list.groupByField?.name;
        const targetGroupId = params.parent?.dataset.id;
        const manualField = fieldName && `${fieldName}_is_manual`;
        if (manualField && targetGroupId && targetGroupId !== dataGroupId) {
            const sourceGroup = list.groups.find((group) => group.id === dataGroupId);
            const targetGroup = list.groups.find((group) => group.id === targetGroupId);
            const record = sourceGroup?.list.records.find((rec) => rec.id === dataRecordId);
            if (fieldName === "client_stage" && targetGroup?.value === "lost" && record) {
                // the card goes back to its column until the reason is recorded
                params.parent.classList.remove("o_kanban_hover");
                await list.model.load();
                await this.clientMarkLost(record.resId);
                return;
            }
            const message =
                targetGroup && this.clientManualValueMessage(fieldName, targetGroup.displayName);
            if (message && record && manualField in record.data && !record.data[manualField]) {
                const confirmed = await this.clientConfirmManualValue(message);
                if (!confirmed) {
                    // The card goes back to its column.
                    params.parent.classList.remove("o_kanban_hover");
                    await list.model.load();
                    return;
                }
            }
        }
        return super.sortRecordDrop(dataRecordId, dataGroupId, params);
    }

    /** The "Mark as Lost" dialog for the client; the board reloads when it closes. */
    async clientMarkLost(resId) {
        const { list } = this.props;
        await this.env.services.action.doAction(
            {
                type: "ir.actions.act_window",
                name: _t("Mark as Lost"),
                res_model: "clientbase.churn.wizard",
                views: [[false, "form"]],
                target: "new",
                context: { default_partner_ids: [resId] },
            },
            { onClose: () => list.model.load() }
        );
    }

    clientConfirmManualValue(body) {
        return new Promise((resolve) => {
            this.dialog.add(
                ConfirmationDialog,
                {
                    title: _t("Set by hand?"),
                    body,
                    confirmLabel: _t("Set by hand"),
                    confirm: () => resolve(true),
                    cancel: () => resolve(false),
                },
                { onClose: () => resolve(false) }
            );
        });
    }
}

export const clientbaseFunnelKanbanView = {
    ...kanbanView,
    Renderer: ClientbaseFunnelKanbanRenderer,
};

registry.category("views").add("clientbase_funnel_kanban", clientbaseFunnelKanbanView);

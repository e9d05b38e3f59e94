# A desk whose clock reads behind what it recorded (the home screen's alert, a dated action
# refused, a manager's confirmation) and a breach recorded twice, machine-assisted: a native
# speaker must review them.
#   python3 locales/extract.py locales/translations-desk-clock.py
T = {
    "The clock reads {}, before {}, which this desk has already recorded: deadlines shown count from the wrong time, and corrections, withdrawals, requests and breaches are refused until the date and time are set (a manager may confirm a clock that is right).": {
        "fr": "L'horloge indique {}, avant {}, heure que ce poste a déjà enregistrée : les échéances affichées partent d'une mauvaise heure, et corrections, retraits, demandes et violations sont refusés tant que la date et l'heure ne sont pas réglées (un responsable peut confirmer une horloge juste).",
        "es": "El reloj marca {}, antes de {}, hora que esta administración ya registró: los plazos mostrados cuentan desde una hora equivocada, y las correcciones, retiradas, solicitudes y brechas se rechazan hasta que se ajusten la fecha y la hora (un responsable puede confirmar un reloj correcto).",
        "de": "Die Uhr zeigt {}, vor {}, einer Zeit, die diese Verwaltung schon aufgezeichnet hat: Angezeigte Fristen zählen von einer falschen Zeit, und Korrekturen, Widerrufe, Anfragen und Verletzungen werden abgelehnt, bis Datum und Uhrzeit eingestellt sind (eine Leitung kann eine richtige Uhr bestätigen).",
        "pl": "Zegar wskazuje {}, przed {}, czasem już zapisanym w tym biurze: pokazane terminy liczą się od złego czasu, a korekty, wycofania, wnioski i naruszenia są odrzucane, dopóki data i godzina nie zostaną ustawione (kierownik może potwierdzić dobry zegar).",
        "ro": "Ceasul arată {}, înainte de {}, oră pe care acest birou a înregistrat-o deja: termenele afișate se socotesc de la o oră greșită, iar corecturile, retragerile, cererile și încălcările sunt refuzate până se setează data și ora (un manager poate confirma un ceas corect).",
        "pt": "O relógio marca {}, antes de {}, hora que esta receção já registou: os prazos mostrados contam a partir de uma hora errada, e correções, retiradas, pedidos e violações são recusados até acertar a data e a hora (um gestor pode confirmar um relógio certo).",
        "ar": "تُظهر الساعة {}، قبل {}، وهو وقت سجّله هذا المكتب بالفعل: المواعيد المعروضة تُحسب من وقت خاطئ، وتُرفض التصحيحات والسحوبات والطلبات والانتهاكات حتى يُضبط التاريخ والوقت (يمكن للمدير تأكيد ساعة صحيحة).",
    },
    "The clock reads {}, before {}, which this desk has already recorded, so nothing was written: a withdrawal or correction dated by it would count as made before what was recorded since. Set the date and time; if the clock is right (it ran ahead before), a manager taps The clock is right.": {
        "fr": "L'horloge indique {}, avant {}, heure que ce poste a déjà enregistrée, donc rien n'a été écrit : un retrait ou une correction datés par elle compteraient comme faits avant ce qui a été enregistré depuis. Réglez la date et l'heure ; si l'horloge est juste (elle avançait auparavant), un responsable touche L'horloge est juste.",
        "es": "El reloj marca {}, antes de {}, hora que esta administración ya registró, así que no se escribió nada: una retirada o corrección fechada con él contaría como hecha antes de lo registrado después. Ajuste la fecha y la hora; si el reloj es correcto (antes iba adelantado), un responsable pulsa El reloj es correcto.",
        "de": "Die Uhr zeigt {}, vor {}, einer Zeit, die diese Verwaltung schon aufgezeichnet hat, daher wurde nichts geschrieben: Ein damit datierter Widerruf oder eine Korrektur zählte als vor dem seither Aufgezeichneten erfolgt. Datum und Uhrzeit einstellen; geht die Uhr richtig (sie ging vorher vor), tippt eine Leitung auf Die Uhr geht richtig.",
        "pl": "Zegar wskazuje {}, przed {}, czasem już zapisanym w tym biurze, więc nic nie zapisano: datowane nim wycofanie lub korekta liczyłyby się jako wcześniejsze niż to, co zapisano później. Ustaw datę i godzinę; jeśli zegar jest dobry (wcześniej się spieszył), kierownik stuka Zegar jest dobry.",
        "ro": "Ceasul arată {}, înainte de {}, oră pe care acest birou a înregistrat-o deja, deci nu s-a scris nimic: o retragere sau o corectură datată după el ar conta ca făcută înaintea celor înregistrate de atunci. Setați data și ora; dacă ceasul este corect (înainte o lua înainte), un manager atinge Ceasul este corect.",
        "pt": "O relógio marca {}, antes de {}, hora que esta receção já registou, por isso nada foi escrito: uma retirada ou correção datada por ele contaria como feita antes do que foi registado depois. Acerte a data e a hora; se o relógio estiver certo (antes estava adiantado), um gestor toca em O relógio está certo.",
        "ar": "تُظهر الساعة {}، قبل {}، وهو وقت سجّله هذا المكتب بالفعل، لذا لم يُكتب شيء: السحب أو التصحيح المؤرخ بها سيُحسب كأنه تم قبل ما سُجّل بعده. اضبط التاريخ والوقت؛ إذا كانت الساعة صحيحة (كانت متقدمة من قبل)، ينقر المدير على الساعة صحيحة.",
    },
    "The clock is confirmed as right: corrections, requests and breaches are dated by it again.": {
        "fr": "L'horloge est confirmée comme juste : corrections, demandes et violations sont de nouveau datées par elle.",
        "es": "Se confirmó que el reloj es correcto: las correcciones, solicitudes y brechas vuelven a fecharse con él.",
        "de": "Die Uhr ist als richtig bestätigt: Korrekturen, Anfragen und Verletzungen werden wieder nach ihr datiert.",
        "pl": "Potwierdzono, że zegar jest dobry: korekty, wnioski i naruszenia znów są nim datowane.",
        "ro": "Ceasul este confirmat ca fiind corect: corecturile, cererile și încălcările sunt din nou datate după el.",
        "pt": "O relógio foi confirmado como certo: correções, pedidos e violações voltam a ser datados por ele.",
        "ar": "تم تأكيد أن الساعة صحيحة: تُؤرَّخ التصحيحات والطلبات والانتهاكات بها من جديد.",
    },
}
T.update({
    "This breach is recorded already (discovered {}) and not yet reported: nothing was recorded again. Describe a second one in other words.": {
        "fr": "Cette violation est déjà enregistrée (découverte le {}) et pas encore signalée : rien n'a été enregistré de nouveau. Décrivez une seconde violation en d'autres termes.",
        "es": "Esta brecha ya está registrada (descubierta el {}) y aún no se ha notificado: no se registró nada de nuevo. Describa una segunda con otras palabras.",
        "de": "Diese Verletzung ist schon erfasst (entdeckt {}) und noch nicht gemeldet: Nichts wurde erneut erfasst. Eine zweite mit anderen Worten beschreiben.",
        "pl": "To naruszenie jest już zapisane (wykryte {}) i jeszcze niezgłoszone: nic nie zapisano ponownie. Opisz drugie innymi słowami.",
        "ro": "Această încălcare este deja înregistrată (descoperită la {}) și încă neraportată: nu s-a înregistrat nimic din nou. Descrieți o a doua în alte cuvinte.",
        "pt": "Esta violação já está registada (descoberta em {}) e ainda não foi comunicada: nada foi registado de novo. Descreva uma segunda por outras palavras.",
        "ar": "هذا الانتهاك مسجّل بالفعل (اكتُشف في {}) ولم يُبلَّغ عنه بعد: لم يُسجَّل شيء من جديد. صِف انتهاكًا ثانيًا بكلمات أخرى.",
    },
})
